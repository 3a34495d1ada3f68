-- Typing and renaming only; the version rules live in intermediate. The note text never
-- reaches the warehouse: ingest keeps only whether it was a meaningful explanation.
select
    cast(conversation_id as {{ dbt.type_string() }})              as conversation_id,
    cast(person_id as {{ dbt.type_string() }})                    as person_id,
    cast(request_id as {{ dbt.type_string() }})                   as request_id,
    cast(team_id as {{ dbt.type_string() }})                      as team_id,
    cast(worker_id as {{ dbt.type_string() }})                    as worker_id,
    cast(conversation_type as {{ dbt.type_string() }})            as conversation_type,
    cast(start_date as date)                      as start_date,
    cast(end_date as date)                        as end_date,
    cast(outcome as {{ dbt.type_string() }})                      as outcome,
    cast(escalation_reason as {{ dbt.type_string() }})            as escalation_reason,
    cast(escalation_note_meaningful as boolean)   as escalation_note_meaningful,
    cast(peer_challenge_date as date)             as peer_challenge_date,
    cast(last_modified as timestamp)              as last_modified,
    coalesce(cast(is_deleted as boolean), false)  as is_deleted,
    cast(_extract_date as date)                   as extract_date,
    cast(_delivery_id as bigint)                  as delivery_id,
    cast(_row_number as bigint)                   as row_number
from {{ source('raw', 'conversations') }}
