-- Typing and renaming only; the version rules live in intermediate.
select
    cast(request_id as {{ dbt.type_string() }})       as request_id,
    cast(person_id as {{ dbt.type_string() }})        as person_id,
    cast(team_id as {{ dbt.type_string() }})          as team_id,
    cast(request_date as date)        as request_date,
    cast(route_of_access as {{ dbt.type_string() }})  as route_of_access,
    cast(last_modified as timestamp)  as last_modified,
    coalesce(cast(is_deleted as boolean), false) as is_deleted,
    cast(_extract_date as date)       as extract_date,
    cast(_delivery_id as bigint)      as delivery_id,
    cast(_row_number as bigint)       as row_number
from {{ source('raw', 'requests') }}
