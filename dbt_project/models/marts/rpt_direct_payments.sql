{#-
    Direct-payment uptake on every month end and on the as-of date (metrics.md, Savings:
    "Also reported").

    - On a date d, a package is active when start_date <= d and (end_date is null or
      d <= end_date); a ONE_OFF line on its start_date only.
    - Uptake = people with an active LTS_COMMUNITY package delivered by DIRECT_PAYMENT /
      people with any active LTS_COMMUNITY package (distinct people, numerator and
      denominator published beside it).
    - Mean weekly cost of direct-payment packages: over the package lines behind the
      numerator (active on d, LTS_COMMUNITY, delivery_mechanism DIRECT_PAYMENT) that have
      a weekly cost - every frequency but ONE_OFF, NO_CHARGE counting at 0 - of the gross
      weekly cost (before client contributions), one line one value (a person with two
      such lines counts twice).
    Dates: each month's last day from the month of the earliest LTS_COMMUNITY start up to
    the as-of date, and the as-of date itself. Built as one range join of dates to
    packages, never per person per day.
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

community as (
    select
        p.*,
        p.delivery_mechanism = 'DIRECT_PAYMENT' as is_direct_payment
    from {{ ref('fct_packages') }} as p
    where p.service_type = 'LTS_COMMUNITY'
),

months as (
    {{ months_through_as_of(month_start('(select min(start_date) from community)')) }}
),

dates as (
    select {{ dbt.last_day('month', 'month') }} as date, as_of_date
    from months
    where {{ dbt.last_day('month', 'month') }} <= as_of_date
    union
    select as_of_date as date, as_of_date
    from as_of
),

active as (
    select
        d.date,
        c.person_id,
        c.package_id,
        c.is_direct_payment,
        c.is_one_off,
        c.weekly_cost
    from dates as d
    inner join community as c
        on {{ package_active_on('d.date', 'c') }}
),

per_date as (
    select
        date,
        count(distinct person_id)                                        as people_with_community_lts,
        count(distinct person_id) filter (where is_direct_payment)       as people_with_direct_payment,
        count(*) filter (where is_direct_payment and not is_one_off)     as direct_payment_packages,
        {{ stable_sum('weekly_cost', 'package_id', where='is_direct_payment and not is_one_off') }} as direct_payment_weekly_cost
    from active
    group by date
)

select
    d.date,
    {{ month_start('d.date') }}                              as month,
    d.date = {{ dbt.last_day('d.date', 'month') }}          as is_month_end,
    d.date = d.as_of_date                                    as is_as_of_date,
    coalesce(p.people_with_direct_payment, 0)                as people_with_direct_payment,
    coalesce(p.people_with_community_lts, 0)                 as people_with_community_lts,
    {{ share('coalesce(p.people_with_direct_payment, 0)', 'coalesce(p.people_with_community_lts, 0)') }} as uptake,
    coalesce(p.direct_payment_packages, 0)                   as direct_payment_packages,
    coalesce(p.direct_payment_weekly_cost, 0)                as direct_payment_weekly_cost,
    case when p.direct_payment_packages > 0
        then p.direct_payment_weekly_cost / p.direct_payment_packages end as mean_direct_payment_weekly_cost,
    d.as_of_date
from dates as d
left join per_date as p
    on p.date = d.date
