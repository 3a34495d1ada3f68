-- Typing and renaming only: every loaded version stays, because which version is current
-- depends on the as-of date and is decided in intermediate.
select
    cast(person_id as {{ dbt.type_string() }})              as person_id,
    cast(nhs_pseudonym as {{ dbt.type_string() }})          as nhs_pseudonym,
    cast(date_of_birth as date)             as date_of_birth,
    cast(date_of_death as date)             as date_of_death,
    cast(gender as {{ dbt.type_string() }})                 as gender,
    cast(ethnicity as {{ dbt.type_string() }})              as ethnicity,
    cast(postcode_district as {{ dbt.type_string() }})      as postcode_district,
    cast(primary_support_reason as {{ dbt.type_string() }}) as primary_support_reason,
    cast(has_unpaid_carer as {{ dbt.type_string() }})       as has_unpaid_carer,
    cast(accommodation as {{ dbt.type_string() }})          as accommodation,
    cast(last_modified as timestamp)        as last_modified,
    coalesce(cast(is_deleted as boolean), false) as is_deleted,
    cast(_extract_date as date)             as extract_date,
    cast(_delivery_id as bigint)            as delivery_id,
    cast(_row_number as bigint)             as row_number
from {{ source('raw', 'people') }}
