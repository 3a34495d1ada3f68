{#-
    Each person's conversations in the order of metrics.md ("Order"): start_date, then
    type rank (C1A < C1 < C2 < C3, from the seed), then conversation_id.

    Figures are true at the as-of date, so:
    - a conversation starting after the as-of date did not exist yet and is left out;
    - a conversation whose recorded end_date is after the as-of date had not ended on
      the as-of date: end_date (and the outcome that goes with it) is null here, and
      the recorded values are kept in recorded_end_date / recorded_outcome.
    Incremental by person: a daily build orders again only the people int_changed_keys
    names (conversation_people), so no column may depend on the as-of date except
    through those rules.
-#}
{{ config(**incremental_by('person_id', 'conversation_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

type_ranks as (
    select code as conversation_type, sort_order as conversation_type_rank
    from {{ ref('export_codes') }}
    where code_list = 'conversation_type'
),

started as (
    select c.*, a.as_of_date
    from {{ ref('int_conversations_current') }} as c
    cross join as_of as a
    where c.start_date <= a.as_of_date
        and {{ is_changed('c.person_id', 'conversation_people') }}
)

select
    c.conversation_id,
    c.person_id,
    c.request_id,
    c.team_id,
    c.worker_id,
    c.conversation_type,
    r.conversation_type_rank,
    c.start_date,
    case when c.end_date <= c.as_of_date then c.end_date end as end_date,
    case when c.end_date <= c.as_of_date then c.outcome end  as outcome,
    c.end_date is not null and c.end_date <= c.as_of_date    as is_ended,
    c.end_date  as recorded_end_date,
    c.outcome   as recorded_outcome,
    c.escalation_reason,
    coalesce(c.escalation_note_meaningful, false) as has_meaningful_escalation_note,
    c.peer_challenge_date,
    row_number() over (
        partition by c.person_id
        order by c.start_date, r.conversation_type_rank, c.conversation_id
    ) as person_conversation_seq
from started as c
inner join type_ranks as r
    on r.conversation_type = c.conversation_type
