{#-
    SALT LTS001a/b: people on long-term support (int_cld_lts_services) in a window that runs
    from `window_start` ('period_start': the whole year, LTS001a; 'period_end': the year's
    last day, LTS001b) to the year's last day, alive on the window's first day; each person
    once, in their highest setting (lowest setting_rank of seed cld_lts_settings), by
    Primary_Support_Reason ('Unknown' when none) x age band at the year end; unknown age and
    under-18s left out; only combinations with at least one person.
-#}
{% macro salt_lts001(window_start) -%}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

people as (
    select s.person_id, min(s.setting_rank) as setting_rank
    from {{ ref('int_cld_lts_services') }} as s
    cross join period as pe
    where s.event_start_date <= pe.period_end
      and (s.event_end_date is null or s.event_end_date >= pe.{{ window_start }})
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
    where p.date_of_death is null or p.date_of_death >= pe.{{ window_start }}
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
{%- endmacro %}
