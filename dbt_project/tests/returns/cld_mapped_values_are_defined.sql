-- Every value the mapping writes (seeds cld_code_map and cld_derived_values) is a defined
-- value of its field in the specification's lists, and every field mapped has a list.
-- Rows returned are failures.
{{ config(tags=['returns']) }}
with written as (
    select cld_field, cld_value, 'cld_code_map' as seed from {{ ref('cld_code_map') }}
    union all
    select cld_field, cld_value, 'cld_derived_values' as seed from {{ ref('cld_derived_values') }}
)

select w.seed, w.cld_field, w.cld_value
from written as w
left join {{ ref('int_cld_defined_values') }} as d
    on d.cld_field = w.cld_field and d.value = w.cld_value
where d.value is null
