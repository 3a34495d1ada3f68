{#-
    "Next conversation" and journeys (metrics.md, Conversations).

    The next conversation of X is the person's following conversation in order, if it
    starts no later than var('next_conversation_window_days') days after X's end_date;
    when X is still open on the as-of date any later start qualifies. Because "next"
    only ever links a conversation to the one straight after it, a journey (a maximal
    chain of next links) is a run of consecutive conversations of one person, and it
    starts at every conversation that is not its predecessor's next. Journeys are
    therefore numbered with a running count of starts: window functions only, one
    sort per person, so this scales to tens of millions of conversations.
-#}
with ordered as (
    select
        *,
        lead(conversation_id)                over w as following_conversation_id,
        lead(conversation_type)              over w as following_conversation_type,
        lead(start_date)                     over w as following_start_date,
        lead(team_id)                        over w as following_team_id,
        lead(worker_id)                      over w as following_worker_id,
        lead(escalation_reason)              over w as following_escalation_reason,
        lead(has_meaningful_escalation_note) over w as following_has_meaningful_escalation_note,
        lead(peer_challenge_date)            over w as following_peer_challenge_date
    from {{ ref('int_conversations_ordered') }}
    window w as (partition by person_id order by person_conversation_seq)
),

linked as (
    select
        *,
        following_conversation_id is not null
            and (
                end_date is null
                or following_start_date <= end_date + {{ var('next_conversation_window_days') | int }}
            ) as has_next
    from ordered
),

starts as (
    select
        *,
        not coalesce(lag(has_next) over (partition by person_id order by person_conversation_seq), false)
            as is_journey_start
    from linked
),

numbered as (
    select
        *,
        sum(case when is_journey_start then 1 else 0 end) over (
            partition by person_id order by person_conversation_seq
            rows between unbounded preceding and current row
        ) as person_journey_number
    from starts
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
    first_value(conversation_id) over (
        partition by person_id, person_journey_number order by person_conversation_seq
    ) as journey_id,
    row_number() over (
        partition by person_id, person_journey_number order by person_conversation_seq
    ) as journey_position,
    as_of_date
from numbered
