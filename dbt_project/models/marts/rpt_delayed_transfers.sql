{#-
    Delayed transfers of care per month (metrics.md, Delayed transfers of care), in
    total and split by the organisation responsible (NHS, SOCIAL_CARE, BOTH), every
    ratio beside its inputs:
    - delayed_days: days delayed in the month (fct_delayed_days, summed);
    - average_delayed_beds_per_day = delayed_days / days_counted, the old ASCOF 2C
      basis. days_counted is days_in_month for every month before the as-of month; in
      the as-of month only the days up to and including the as-of date have happened
      (delayed days stop there), so it is the days elapsed, and is_complete_month says
      which kind of month it is;
    - per 100,000 adults: average_delayed_beds_per_day * 100000 / adult_population, the
      population of the council_population seed for the month's calendar year (else the
      latest earlier year, else the earliest year there is); null when the seed is empty.
    Months run from the first month with a delayed day to the as-of month, zeros included.
-#}
{%- set orgs = {'nhs': 'NHS', 'social_care': 'SOCIAL_CARE', 'both': 'BOTH'} -%}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

delayed as (
    select * from {{ ref('fct_delayed_days') }}
),

months as (
    {{ months_through_as_of('(select min(month) from delayed)') }}
),

calendar as (
    select
        month,
        {{ dbt.last_day('month', 'month') }} as month_end,
        as_of_date
    from months
),

by_month as (
    select
        month,
        sum(delays)       as delays,
        sum(delayed_days) as delayed_days,
        {%- for suffix, org in orgs.items() %}
        coalesce(sum(delayed_days) filter (where responsible_org = '{{ org }}'), 0) as delayed_days_{{ suffix }}{{ ',' if not loop.last }}
        {%- endfor %}
    from delayed
    group by month
),

population as (
    select year as population_year, adult_population
    from {{ ref('council_population') }}
    where adult_population is not null
),

month_population as (
    select month, population_year, adult_population
    from (
        select
            c.month,
            p.population_year,
            p.adult_population,
            -- the month's own year, else the nearest earlier year, else the nearest later one
            row_number() over (
                partition by c.month
                order by p.population_year > extract(year from c.month),
                    abs(extract(year from c.month) - p.population_year)
            ) as preference
        from calendar as c
        cross join population as p
    ) as candidates
    where preference = 1
),

framed as (
    select
        c.month,
        cast({{ days_between('c.month', 'c.month_end') }} + 1 as bigint)                          as days_in_month,
        cast({{ days_between('c.month', 'least(c.month_end, c.as_of_date)') }} + 1 as bigint)     as days_counted,
        c.month_end <= c.as_of_date                                        as is_complete_month,
        cast(coalesce(b.delays, 0) as bigint)                              as delays,
        cast(coalesce(b.delayed_days, 0) as bigint)                        as delayed_days,
        {%- for suffix in orgs %}
        cast(coalesce(b.delayed_days_{{ suffix }}, 0) as bigint)           as delayed_days_{{ suffix }},
        {%- endfor %}
        p.population_year,
        p.adult_population,
        c.as_of_date
    from calendar as c
    left join by_month as b
        on b.month = c.month
    left join month_population as p
        on p.month = c.month
)

select
    month,
    days_in_month,
    days_counted,
    is_complete_month,
    delays,
    delayed_days,
    {%- for suffix in orgs %}
    delayed_days_{{ suffix }},
    {%- endfor %}
    {{ share('delayed_days', 'days_counted') }} as average_delayed_beds_per_day,
    {%- for suffix in orgs %}
    {{ share('delayed_days_' ~ suffix, 'days_counted') }} as average_delayed_beds_per_day_{{ suffix }},
    {%- endfor %}
    population_year,
    adult_population,
    {{ share('delayed_days * 100000', '(days_counted * adult_population)') }} as average_delayed_beds_per_day_per_100k_adults,
    {%- for suffix in orgs %}
    {{ share('delayed_days_' ~ suffix ~ ' * 100000', '(days_counted * adult_population)') }} as average_delayed_beds_per_day_per_100k_adults_{{ suffix }},
    {%- endfor %}
    as_of_date
from framed
