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
    the as-of date, and the as-of date itself. Built from what changes on each day (lines
    and people starting and ending), never per person per date: joining every date to every
    active line and counting distinct people took minutes at national scale.
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

community as (
    select
        p.person_id,
        p.package_id,
        p.start_date,
        coalesce({{ package_last_active_date('p') }}, {{ open_end() }}) as last_active_date,
        p.delivery_mechanism = 'DIRECT_PAYMENT' as is_direct_payment,
        p.is_one_off,
        p.weekly_cost
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

{#- A person counts on d when any of their lines is active on d. Each person's lines are
    merged into islands, the runs of days covered by at least one line, once for all their
    lines and once for their direct-payment lines: on any day a person is then inside at
    most one island of each kind, and counting islands counts people. A line opens a new
    island when it starts after every earlier line of the person (in start order) ended. -#}
lines as (
    select person_id, 'any' as kind, package_id, start_date, last_active_date from community
    union all
    select person_id, 'direct_payment' as kind, package_id, start_date, last_active_date from community
    where is_direct_payment
),

reach as (
    select
        *,
        max(last_active_date) over (
            partition by person_id, kind order by start_date, package_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_lines_end
    from lines
),

numbered as (
    select
        *,
        sum(case when earlier_lines_end is null or start_date > earlier_lines_end then 1 else 0 end) over (
            partition by person_id, kind order by start_date, package_id
            rows between unbounded preceding and current row
        ) as island
    from reach
),

islands as (
    select kind, min(start_date) as start_date, max(last_active_date) as last_active_date
    from numbered
    group by person_id, kind, island
),

{#- What changes on a day: +1 island, line and cost on the day it starts, -1 the day after
    it ends (ongoing ones never end). Costs are added as exact decimals, so each date's sum
    is the same whatever order the lines come in (as stable_sum), in every engine. -#}
changes as (
    select start_date as day, kind, 1 as people, 0 as lines, cast(0 as decimal(38, 18)) as cost
    from islands
    union all
    select last_active_date + 1, kind, -1, 0, cast(0 as decimal(38, 18))
    from islands
    where last_active_date < {{ open_end() }}
    union all
    select start_date, 'line', 0, 1, cast(weekly_cost as decimal(38, 18))
    from community
    where is_direct_payment and not is_one_off
    union all
    select last_active_date + 1, 'line', 0, -1, -cast(weekly_cost as decimal(38, 18))
    from community
    where is_direct_payment and not is_one_off and last_active_date < {{ open_end() }}
),

daily_changes as (
    select
        day,
        sum(case when kind = 'any' then people else 0 end)            as community_people,
        sum(case when kind = 'direct_payment' then people else 0 end) as direct_payment_people,
        sum(lines)                                                    as direct_payment_lines,
        sum(cost)                                                     as direct_payment_cost
    from changes
    group by day
),

per_date as (
    select
        d.date,
        sum(c.community_people)      as people_with_community_lts,
        sum(c.direct_payment_people) as people_with_direct_payment,
        sum(c.direct_payment_lines)  as direct_payment_packages,
        cast(sum(c.direct_payment_cost) as {{ type_double() }}) as direct_payment_weekly_cost
    from dates as d
    inner join daily_changes as c
        on c.day <= d.date
    group by d.date
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
