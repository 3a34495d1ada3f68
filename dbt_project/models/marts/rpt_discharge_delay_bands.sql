{#-
    The discharge-ready-date view (metrics.md, Delayed transfers of care): delays that
    ended (patient discharged) in each month, by band of delay length
    discharge_date - ready_date. The bands come from the delay_bands seed, never from
    SQL. Per month x band: delays, delayed bed days (the sum of their lengths, all of
    each delay's days, whichever months they fell in) and the mean delay; beside them
    the month's totals and the band's share of the month's delays.
    A delay belongs to the month of its discharge_date; one discharged after the as-of
    date has not ended yet. Months run from the first month with a discharge to the
    as-of month, every band listed in every month, zeros included.
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

discharged as (
    select
        {{ month_start('discharge_date') }} as month,
        delay_band,
        delay_days
    from {{ ref('fct_delays') }}
    where is_discharged
),

bands as (
    select band, min_days, max_days, sort_order
    from {{ ref('delay_bands') }}
),

months as (
    {{ months_through_as_of('(select min(month) from discharged)') }}
),

by_band as (
    select month, delay_band, count(*) as delays, sum(delay_days) as delayed_bed_days
    from discharged
    group by month, delay_band
),

by_month as (
    select month, count(*) as delays, sum(delay_days) as delayed_bed_days
    from discharged
    group by month
),

framed as (
    select
        m.month,
        b.band,
        b.sort_order,
        b.min_days,
        b.max_days,
        cast(coalesce(c.delays, 0) as bigint)           as delays,
        cast(coalesce(c.delayed_bed_days, 0) as bigint) as delayed_bed_days,
        cast(coalesce(t.delays, 0) as bigint)           as month_delays,
        cast(coalesce(t.delayed_bed_days, 0) as bigint) as month_delayed_bed_days,
        m.as_of_date
    from months as m
    cross join bands as b
    left join by_band as c
        on c.month = m.month and c.delay_band = b.band
    left join by_month as t
        on t.month = m.month
)

select
    month,
    band,
    sort_order as band_sort,
    min_days,
    max_days,
    delays,
    delayed_bed_days,
    {{ share('delayed_bed_days', 'delays') }} as mean_delay_days,
    {{ share('delays', 'month_delays') }} as delays_share,
    month_delays,
    month_delayed_bed_days,
    {{ share('month_delayed_bed_days', 'month_delays') }} as month_mean_delay_days,
    as_of_date
from framed
