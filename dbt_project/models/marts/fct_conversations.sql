{#-
    One row per conversation that had started by the as-of date, with its outcome
    bucket and escalation findings (metrics.md, Conversations). end_date and outcome
    are as known on the as-of date: null when the recorded end is later.
    A view: the conversations and their links are kept (incrementally) in
    int_conversations_next; what depends on the as-of date itself is worked out here.
-#}
{{ config(materialized='view', meta={'changed_key': ['person_id', 'conversation_people']}) }}
with conversations as (
    select n.*, {{ as_of_date() }} as as_of_date
    from {{ ref('int_conversations_next') }} as n
),

positive_outcomes as (
    select code as outcome, coalesce(is_positive, false) as is_positive
    from {{ ref('export_codes') }}
    where code_list = 'outcome'
),

classified as (
    select
        c.*,
        coalesce(p.is_positive, false) as is_positive_outcome,
        c.has_next
            and c.conversation_type in ('C1A', 'C1')
            and c.next_conversation_type = 'C3' as is_direct_escalation
    from conversations as c
    left join positive_outcomes as p
        on p.outcome = c.outcome
),

flagged as (
    select
        *,
        -- Explained when either side carries a reason or a meaningful note.
        is_direct_escalation and (
            escalation_reason is not null
            or next_escalation_reason is not null
            or has_meaningful_escalation_note
            or coalesce(next_has_meaningful_escalation_note, false)
        ) as is_explained_escalation
    from classified
)

select
    conversation_id,
    person_id,
    request_id,
    team_id,
    worker_id,
    conversation_type,
    conversation_type_rank,
    start_date,
    end_date,
    outcome,
    is_positive_outcome,
    is_ended,
    recorded_end_date,
    recorded_outcome,
    case when is_ended then {{ days_between('start_date', 'end_date') }} end        as duration_days,
    case when not is_ended then {{ days_between('start_date', 'as_of_date') }} end  as days_open_at_as_of,
    escalation_reason,
    has_meaningful_escalation_note,
    peer_challenge_date,
    person_conversation_seq,
    journey_id,
    journey_position,
    is_journey_start,
    has_next,
    next_conversation_id,
    next_conversation_type,
    next_start_date,
    next_team_id,
    case
        when has_next and next_conversation_type = 'C2' and conversation_type in ('C1A', 'C1')
            then 'escalated_to_c2'
        when has_next and next_conversation_type = 'C3' and conversation_type in ('C1A', 'C1', 'C2')
            then 'escalated_to_c3'
        when has_next
            then 'continued'
        when is_ended and is_positive_outcome
            then 'closed_positive'
        when is_ended
            then 'closed_other'
        else 'open'
    end as outcome_bucket,
    is_direct_escalation,
    is_explained_escalation,
    is_direct_escalation and not is_explained_escalation as is_unexplained_escalation,
    is_direct_escalation
        and peer_challenge_date is null
        and next_peer_challenge_date is null as is_unchallenged_escalation,
    -- A first conversation not ended by the as-of date has no duration yet: not premature.
    is_direct_escalation
        and is_ended
        and {{ days_between('start_date', 'end_date') }} <= {{ var('premature_escalation_max_days') | int }} as is_premature_escalation,
    as_of_date
from flagged
