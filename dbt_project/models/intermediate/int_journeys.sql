{#-
    One row per journey: a maximal chain of conversations linked by "next", named after
    its first conversation. "Last" is the last conversation in the person's order.
    (value_at_min_key / value_at_max_key keep a null on that row: a plain arg_min / arg_max
    skips null values and would pick another row.)
    A journey is open while any of its conversations has not ended by the as-of date
    (normally only the last can be open; an earlier one can be too when a later one
    was started before it closed).
    Incremental by person, like int_conversations_ordered.
-#}
{{ config(**incremental_by('person_id', 'conversation_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
select
    journey_id,
    person_id,
    {{ value_at_min_key('conversation_id', 'journey_position') }}   as first_conversation_id,
    {{ value_at_min_key('conversation_type', 'journey_position') }} as first_conversation_type,
    {{ value_at_min_key('team_id', 'journey_position') }}           as first_team_id,
    {{ value_at_min_key('worker_id', 'journey_position') }}         as first_worker_id,
    min(start_date)                              as start_date,
    {{ value_at_max_key('conversation_id', 'journey_position') }}   as last_conversation_id,
    {{ value_at_max_key('conversation_type', 'journey_position') }} as last_conversation_type,
    {{ value_at_max_key('team_id', 'journey_position') }}           as last_team_id,
    {{ value_at_max_key('start_date', 'journey_position') }}        as last_start_date,
    {{ value_at_max_key('end_date', 'journey_position') }}          as last_end_date,
    count(*)                                     as conversations,
    bool_or(not is_ended)                        as is_open
from {{ ref('int_conversations_next') }}
where {{ is_changed('person_id', 'conversation_people') }}
group by journey_id, person_id
