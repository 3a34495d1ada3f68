-- Typing and renaming only; the version rules live in intermediate.
select
    cast(team_id as {{ dbt.type_string() }})              as team_id,
    cast(team_name as {{ dbt.type_string() }})            as team_name,
    cast(team_type as {{ dbt.type_string() }})            as team_type,
    cast(locality as {{ dbt.type_string() }})             as locality,
    cast(three_c_go_live_date as date)    as three_c_go_live_date,
    cast(last_modified as timestamp)      as last_modified,
    coalesce(cast(is_deleted as boolean), false) as is_deleted,
    cast(_extract_date as date)           as extract_date,
    cast(_delivery_id as bigint)          as delivery_id,
    cast(_row_number as bigint)           as row_number
from {{ source('raw', 'teams') }}
