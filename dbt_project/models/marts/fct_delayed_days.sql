{#-
    Delayed days per month x provider x bed type x reason x responsible organisation
    (metrics.md, Delayed transfers of care): the days d of the month with
    ready_date <= d < discharge_date, through the as-of date while still delayed.

    Set-wise, never day by day: each delay's delayed days are one closed interval
    [ready_date, last_delayed_date] (int_delays_as_of), and its days in a month are the
    overlap of that interval with [month start, month end]:
        least(last_delayed_date, month_end) - greatest(ready_date, month_start) + 1.
    The month spine runs from the month of the first ready_date to the as-of month; a
    delay meets only the months its interval touches (a range join). Only groups with at
    least one delayed day have a row, so a delay discharged on its ready day adds none.
-#}
with delays as (
    select * from {{ ref('int_delays_as_of') }}
),

months as (
    select
        cast(month as date)                    as month_start,
        {{ dbt.last_day('month', 'month') }}   as month_end
    from (
        select {{ date_series(month_start('min(ready_date)'), month_start('max(as_of_date)'), 'month') }} as month
        from delays
    ) as spine
),

delay_months as (
    select
        m.month_start,
        m.month_end,
        d.delay_id,
        d.provider_code,
        d.bed_type,
        d.reason_code,
        d.responsible_org,
        {{ days_between('greatest(d.ready_date, m.month_start)', 'least(d.last_delayed_date, m.month_end)') }} + 1 as delayed_days,
        d.as_of_date
    from delays as d
    inner join months as m
        on m.month_start <= d.last_delayed_date
        and m.month_end >= d.ready_date
    where d.delayed_days > 0
),

-- One name per provider code: the name on its most recent delay that carries one
-- (latest ready_date, then greatest delay_id).
provider_names as (
    select provider_code, provider_name
    from (
        select
            provider_code,
            provider_name,
            row_number() over (
                partition by provider_code order by ready_date desc, delay_id desc
            ) as recency
        from delays
        where provider_name is not null
    ) as named
    where recency = 1
)

select
    o.month_start as month,
    o.provider_code,
    n.provider_name,
    o.bed_type,
    o.reason_code,
    o.responsible_org,
    cast(sum(o.delayed_days) as bigint)           as delayed_days,
    count(*)                                      as delays,
    cast(max({{ days_between('o.month_start', 'o.month_end') }} + 1) as bigint) as days_in_month,
    max(o.as_of_date)                             as as_of_date
from delay_months as o
left join provider_names as n
    on n.provider_code = o.provider_code
group by o.month_start, o.provider_code, n.provider_name, o.bed_type, o.reason_code, o.responsible_org
