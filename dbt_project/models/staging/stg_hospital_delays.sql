-- Typing and renaming only; the version rules live in intermediate.
select
    cast(delay_id as {{ dbt.type_string() }})         as delay_id,
    cast(person_id as {{ dbt.type_string() }})        as person_id,
    cast(nhs_pseudonym as {{ dbt.type_string() }})    as nhs_pseudonym,
    cast(provider_code as {{ dbt.type_string() }})    as provider_code,
    cast(provider_name as {{ dbt.type_string() }})    as provider_name,
    cast(bed_type as {{ dbt.type_string() }})         as bed_type,
    cast(ready_date as date)          as ready_date,
    cast(discharge_date as date)      as discharge_date,
    cast(reason_code as {{ dbt.type_string() }})      as reason_code,
    cast(responsible_org as {{ dbt.type_string() }})  as responsible_org,
    cast(last_modified as timestamp)  as last_modified,
    coalesce(cast(is_deleted as boolean), false) as is_deleted,
    cast(_extract_date as date)       as extract_date,
    cast(_delivery_id as bigint)      as delivery_id,
    cast(_row_number as bigint)       as row_number
from {{ source('raw', 'hospital_delays') }}
