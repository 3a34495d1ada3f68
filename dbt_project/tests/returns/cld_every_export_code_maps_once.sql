-- Every export code of a list the Client Level Data mapping uses maps to exactly one
-- defined value of each CLD field it feeds (seed cld_code_map), and the mapping names no
-- code the export contract does not have. Rows returned are failures.
{{ config(tags=['returns']) }}
with mapped_lists as (
    select distinct code_list, cld_field from {{ ref('cld_code_map') }}
),

expected as (
    select m.code_list, m.cld_field, e.code
    from mapped_lists as m
    join {{ ref('export_codes') }} as e
        on e.code_list = m.code_list
),

counted as (
    select x.code_list, x.cld_field, x.code, count(c.cld_value) as mappings
    from expected as x
    left join {{ ref('cld_code_map') }} as c
        on c.code_list = x.code_list and c.cld_field = x.cld_field and c.code = x.code
    group by x.code_list, x.cld_field, x.code
)

select code_list, cld_field, code, mappings, 'maps to ' || cast(mappings as varchar) || ' values' as problem
from counted
where mappings != 1
union all
select c.code_list, c.cld_field, c.code, 1, 'not a code of the export contract' as problem
from {{ ref('cld_code_map') }} as c
left join {{ ref('export_codes') }} as e
    on e.code_list = c.code_list and e.code = c.code
where e.code is null
