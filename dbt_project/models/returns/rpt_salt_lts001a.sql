{#-
    SALT LTS001a (docs/returns/salt.md): people accessing long-term support at any point in the
    return's year: a long-term service (int_cld_lts_services) starting on or before the year's
    last day, open or ending on or after its first day; alive at the year start (no date of
    death, or on or after it).
    Each person is counted once, in their highest support setting (lowest setting_rank of
    seed cld_lts_settings over those services: Nursing > Residential > Community: Direct
    payment > Community: CASSR managed personal budget > Community: CASSR commissioned
    support > Community: unknown delivery mechanism > Prison), by Primary_Support_Reason
    (none recorded: 'Unknown') x age band at the year end; unknown age and under-18s are
    left out. Only combinations with at least one person are listed.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

people as (
    select s.person_id, min(s.setting_rank) as setting_rank
    from {{ ref('int_cld_lts_services') }} as s
    cross join period as pe
    where s.event_start_date <= pe.period_end
      and (s.event_end_date is null or s.event_end_date >= pe.period_start)
    group by s.person_id
),

counted as (
    select
        x.person_id,
        x.setting_rank,
        coalesce(p.primary_support_reason, 'Unknown') as primary_support_reason,
        {{ age_on('p.date_of_birth', 'pe.period_end') }} as age_at_period_end,
        {{ age_band(age_on('p.date_of_birth', 'pe.period_end')) }} as age_band
    from people as x
    cross join period as pe
    left join {{ ref('int_cld_people') }} as p
        on p.person_id = x.person_id
    where p.date_of_death is null or p.date_of_death >= pe.period_start
)

select
    pe.period_start as reporting_period_start,
    pe.period_end   as reporting_period_end,
    c.primary_support_reason,
    c.age_band,
    s.support_setting,
    s.setting_rank,
    count(*)        as people
from counted as c
cross join period as pe
left join {{ ref('cld_lts_settings') }} as s
    on s.setting_rank = c.setting_rank
where c.age_at_period_end >= 18
group by pe.period_start, pe.period_end, c.primary_support_reason, c.age_band, s.support_setting, s.setting_rank
