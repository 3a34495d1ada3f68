{#-
    Every defined value of the Client Level Data specification, one row per field and
    value: the union of the seeds cld_list_<list>, each named for the fields that use it
    in seed cld_fields (column defined_list).
-#}
{#- The list seeds (cld_list_<name>); tests/test_returns.py checks this names every one. -#}
{%- set lists = ['accommodation_status', 'assessment_type', 'client_funding_status', 'client_type',
                 'cost_frequency_unit_type', 'delivery_mechanism', 'ethnicity', 'event_outcome', 'event_type',
                 'gender', 'has_unpaid_carer', 'primary_support_reason', 'request_route_of_access',
                 'review_reason', 'service_component', 'service_type'] %}
with list_values as (
{%- for name in lists %}
    select '{{ name }}' as defined_list, cast(value as varchar) as value, sort_order
    from {{ ref('cld_list_' ~ name) }}
    {% if not loop.last %}union all{% endif %}
{%- else %}
    select cast(null as varchar) as defined_list, cast(null as varchar) as value, cast(null as integer) as sort_order
    where false
{%- endfor %}
)

select f.field as cld_field, v.defined_list, v.value, v.sort_order
from list_values as v
join {{ ref('cld_fields') }} as f
    on f.defined_list = v.defined_list
