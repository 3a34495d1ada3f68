{#-
    "Next conversation" and journeys (metrics.md, Conversations).

    The next conversation of X is the person's following conversation in order, if it
    starts no later than var('next_conversation_window_days') days after X's end_date;
    when X is still open on the as-of date any later start qualifies. Because "next"
    only ever links a conversation to the one straight after it, a journey (a maximal
    chain of next links) is a run of consecutive conversations of one person, and it
    starts at every conversation that is not its predecessor's next.

    Two passes over each person's conversations in order, both window functions over the
    same ordering, so this scales to tens of millions of conversations: the first looks
    one conversation ahead (the next) and one back (is this a journey start?), the second
    runs along the person's history carrying the latest journey start.
    Incremental by person, like int_conversations_ordered.
-#}
{{ config(**incremental_by('person_id', 'conversation_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{%- set window_days = var('next_conversation_window_days') | int %}
with neighbours as (
    select
        *,
        lead(conversation_id)                over w as following_conversation_id,
        lead(conversation_type)              over w as following_conversation_type,
        lead(start_date)                     over w as following_start_date,
        lead(team_id)                        over w as following_team_id,
        lead(worker_id)                      over w as following_worker_id,
        lead(escalation_reason)              over w as following_escalation_reason,
        lead(has_meaningful_escalation_note) over w as following_has_meaningful_escalation_note,
        lead(peer_challenge_date)            over w as following_peer_challenge_date,
        lag(conversation_id)                 over w as preceding_conversation_id,
        lag(end_date)                        over w as preceding_end_date
    from {{ ref('int_conversations_ordered') }}
    where {{ is_changed('person_id', 'conversation_people') }}
    window w as (partition by person_id order by person_conversation_seq)
),

linked as (
    select
        *,
        following_conversation_id is not null
            and (end_date is null or following_start_date <= end_date + {{ window_days }}) as has_next,
        -- the same test seen from the other side: am I my predecessor's next?
        not (
            preceding_conversation_id is not null
            and (preceding_end_date is null or start_date <= preceding_end_date + {{ window_days }})
        ) as is_journey_start
    from neighbours
),

along as (
    select
        *,
        -- the latest journey start so far is this conversation's journey; its sequence
        -- number leads the key so that the running max finds it, the id follows
        max(case when is_journey_start
                 then lpad(cast(person_conversation_seq as {{ dbt.type_string() }}), 10, '0') || conversation_id
            end) over (
            partition by person_id order by person_conversation_seq
            rows between unbounded preceding and current row
        ) as journey_start_key
    from linked
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
    is_ended,
    recorded_end_date,
    recorded_outcome,
    escalation_reason,
    has_meaningful_escalation_note,
    peer_challenge_date,
    person_conversation_seq,
    has_next,
    case when has_next then following_conversation_id end                 as next_conversation_id,
    case when has_next then following_conversation_type end               as next_conversation_type,
    case when has_next then following_start_date end                      as next_start_date,
    case when has_next then following_team_id end                         as next_team_id,
    case when has_next then following_worker_id end                       as next_worker_id,
    case when has_next then following_escalation_reason end               as next_escalation_reason,
    case when has_next then following_has_meaningful_escalation_note end  as next_has_meaningful_escalation_note,
    case when has_next then following_peer_challenge_date end             as next_peer_challenge_date,
    is_journey_start,
    substr(journey_start_key, 11)                                         as journey_id,
    person_conversation_seq - cast(substr(journey_start_key, 1, 10) as integer) + 1 as journey_position
from along
