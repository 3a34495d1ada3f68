{#-
    ASC-FR-style long-term support activity and gross expenditure for the return's year
    (docs/returns/asc-fr.md), by Primary_Support_Reason (none recorded: 'Unknown') x support
    setting x age band at the year end (18 to 64, 65 and above, Unknown; under-18s left out),
    from the costed package lines (fct_packages) that are long-term support (is_long_term,
    the LTS_* types) and active on at least one day of the year.

    - Support setting: the line's export codes mapped to CLD values (seed cld_code_map),
      then the first matching row of seed asc_fr_support_settings by rule_order (a blank
      delivery_mechanism or service_component matches any): Nursing, Residential,
      Community: direct payments (direct-payment delivery or component), Community: home
      care, Community: supported living, Community: other, Prison.
    - clients: distinct people with such a line (a person in two settings counts in both).
    - client_weeks: days of the year each weekly-costed line was active / 7, summed over
      lines (a ONE_OFF line adds cost, no weeks).
    - gross_expenditure: cost_in_period over the year of the gross weekly cost (plus ONE_OFF
      lines starting in the year); net_expenditure the same of net_weekly_cost;
      client_contributions = gross - net. GBP, unrounded.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

code_map as (
    select * from {{ ref('cld_code_map') }}
),

lines as (
    select
        p.*,
        st.cld_value as cld_service_type,
        sc.cld_value as cld_service_component,
        dm.cld_value as cld_delivery_mechanism,
        {{ package_active_days('pe.period_start', 'pe.period_end', 'p') }} as active_days,
        {{ cost_in_period('pe.period_start', 'pe.period_end', 'p') }} as gross_cost,
        {{ cost_in_period('pe.period_start', 'pe.period_end', 'p', 'net_weekly_cost') }} as net_cost
    from {{ ref('fct_packages') }} as p
    cross join period as pe
    left join code_map as st
        on st.code_list = 'service_type' and st.cld_field = 'Service_Type' and st.code = p.service_type
    left join code_map as sc
        on sc.code_list = 'service_component' and sc.cld_field = 'Service_Component' and sc.code = p.service_component
    left join code_map as dm
        on dm.code_list = 'delivery_mechanism' and dm.cld_field = 'Delivery_Mechanism' and dm.code = p.delivery_mechanism
    where p.is_long_term
      and {{ package_active_days('pe.period_start', 'pe.period_end', 'p') }} > 0
),

settings as (
    select l.package_id, min(s.rule_order) as rule_order
    from lines as l
    join {{ ref('asc_fr_support_settings') }} as s
        on s.service_type = l.cld_service_type
       -- blank = any (nullif: a unit test reads a blank cell as '', the built seed as null)
       and (nullif(s.delivery_mechanism, '') is null or s.delivery_mechanism = l.cld_delivery_mechanism)
       and (nullif(s.service_component, '') is null or s.service_component = l.cld_service_component)
    group by l.package_id
),

costed as (
    select
        l.package_id,
        l.person_id,
        s.support_setting,
        coalesce(pp.primary_support_reason, 'Unknown') as primary_support_reason,
        {{ age_on('pp.date_of_birth', 'pe.period_end') }} as age_at_period_end,
        case when l.is_one_off then 0 else l.active_days end as weekly_line_days,
        l.gross_cost,
        l.net_cost
    from lines as l
    cross join period as pe
    left join settings as m
        on m.package_id = l.package_id
    left join {{ ref('asc_fr_support_settings') }} as s
        on s.rule_order = m.rule_order
    left join {{ ref('int_cld_people') }} as pp
        on pp.person_id = l.person_id
)

select
    pe.period_start                          as reporting_period_start,
    pe.period_end                            as reporting_period_end,
    c.primary_support_reason,
    c.support_setting,
    {{ age_band('c.age_at_period_end') }}    as age_band,
    count(distinct c.person_id)              as clients,
    count(*)                                 as service_lines,
    cast(sum(c.weekly_line_days) as {{ type_double() }}) / 7 as client_weeks,
    -- ordered sums: the same doubles added in the same order give bit-identical reruns
    sum(c.gross_cost order by c.package_id)  as gross_expenditure,
    sum(c.gross_cost order by c.package_id) - sum(c.net_cost order by c.package_id) as client_contributions,
    sum(c.net_cost order by c.package_id)    as net_expenditure
from costed as c
cross join period as pe
where c.age_at_period_end is null or c.age_at_period_end >= 18
group by pe.period_start, pe.period_end, c.primary_support_reason, c.support_setting,
         {{ age_band('c.age_at_period_end') }}
