{#-
    One row per journey: a maximal chain of conversations linked by "next", named after
    its first conversation. "Last" is the last conversation in the person's order.
    (arg_*_null: plain arg_min/arg_max skip null values and would pick another row.)
    A journey is open while any of its conversations has not ended by the as-of date
    (normally only the last can be open; an earlier one can be too when a later one
    was started before it closed).
-#}
select
    journey_id,
    person_id,
    arg_min_null(conversation_id, journey_position)   as first_conversation_id,
    arg_min_null(conversation_type, journey_position) as first_conversation_type,
    arg_min_null(team_id, journey_position)           as first_team_id,
    arg_min_null(worker_id, journey_position)         as first_worker_id,
    min(start_date)                              as start_date,
    arg_max_null(conversation_id, journey_position)   as last_conversation_id,
    arg_max_null(conversation_type, journey_position) as last_conversation_type,
    arg_max_null(team_id, journey_position)           as last_team_id,
    arg_max_null(start_date, journey_position)        as last_start_date,
    arg_max_null(end_date, journey_position)          as last_end_date,
    count(*)                                     as conversations,
    bool_or(not is_ended)                        as is_open,
    max(as_of_date)                              as as_of_date
from {{ ref('int_conversations_next') }}
group by journey_id, person_id
