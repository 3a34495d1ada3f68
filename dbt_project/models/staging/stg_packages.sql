-- Typing and renaming only; the version rules live in intermediate.
select
    cast(package_id as {{ dbt.type_string() }})                 as package_id,
    cast(person_id as {{ dbt.type_string() }})                  as person_id,
    cast(conversation_id as {{ dbt.type_string() }})            as conversation_id,
    cast(service_type as {{ dbt.type_string() }})               as service_type,
    cast(service_component as {{ dbt.type_string() }})          as service_component,
    cast(delivery_mechanism as {{ dbt.type_string() }})         as delivery_mechanism,
    cast(start_date as date)                    as start_date,
    cast(end_date as date)                      as end_date,
    cast(unit_cost as {{ type_double() }})      as unit_cost,
    cast(cost_frequency as {{ dbt.type_string() }})             as cost_frequency,
    cast(planned_units_per_week as {{ type_double() }}) as planned_units_per_week,
    cast(client_contribution_weekly as {{ type_double() }}) as client_contribution_weekly,
    cast(provider_id as {{ dbt.type_string() }})                as provider_id,
    cast(last_modified as timestamp)            as last_modified,
    coalesce(cast(is_deleted as boolean), false) as is_deleted,
    cast(_extract_date as date)                 as extract_date,
    cast(_delivery_id as bigint)                as delivery_id,
    cast(_row_number as bigint)                 as row_number
from {{ source('raw', 'packages') }}
