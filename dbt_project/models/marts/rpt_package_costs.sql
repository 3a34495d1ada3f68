{#-
    What packages cost per financial year (April-March) x service type x service
    component (the setting: home care, supported living, residential care, ...) x
    delivery mechanism, with the cost-in-a-period rule of metrics.md (macro
    cost_in_period): weekly cost x active days in the period / 7, plus the unit_cost of
    every ONE_OFF line starting in the period. The year of the as-of date runs to the
    as-of date only (year to date): nothing after it is known. Years run from the year of
    the earliest package start to the year of the as-of date; only non-empty cells are
    listed.
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

years as (
    select
        {{ date_from_parts('y.start_year', 4, 1) }} as period_start,
        least({{ date_from_parts('y.start_year + 1', 3, 31) }}, a.as_of_date) as period_end,
        a.as_of_date
    from as_of as a
        {{ cross_join_integer_series(
            "(select " ~ financial_year_start_year('min(start_date)') ~ " from " ~ ref('fct_packages') ~ ")",
            financial_year_start_year('a.as_of_date'), 'y', 'start_year'
        ) }}
),

package_years as (
    select
        y.period_start,
        y.period_end,
        p.package_id,
        p.person_id,
        p.service_type,
        p.service_component,
        p.delivery_mechanism,
        p.is_one_off,
        {{ package_active_days('y.period_start', 'y.period_end', 'p') }} as active_days,
        {{ cost_in_period('y.period_start', 'y.period_end', 'p') }} as cost,
        {{ cost_in_period('y.period_start', 'y.period_end', 'p', weekly_cost='net_weekly_cost') }} as net_cost,
        y.as_of_date
    from years as y
    inner join {{ ref('fct_packages') }} as p
        on p.start_date <= y.period_end
        and ({{ package_last_active_date('p') }} is null or {{ package_last_active_date('p') }} >= y.period_start)
)

select
    {{ financial_year_label('period_start') }}   as financial_year,
    period_start,
    period_end,
    service_type,
    service_component,
    delivery_mechanism,
    count(*)                                     as packages,
    count(distinct person_id)                    as people,
    coalesce(sum(active_days) filter (where not is_one_off), 0) as package_days,
    count(*) filter (where is_one_off)           as one_off_packages,
    coalesce({{ stable_sum('cost', 'package_id', where='is_one_off') }}, 0) as one_off_cost,
    {{ stable_sum('cost', 'package_id') }}                as cost,
    {{ stable_sum('net_cost', 'package_id') }}            as net_cost,
    max(as_of_date)                              as as_of_date
from package_years
group by period_start, period_end, service_type, service_component, delivery_mechanism
