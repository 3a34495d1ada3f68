{#-
    ASCOF 2E (docs/returns/ascof.md): one row per person in the measure's cohort, with
    whether they live in their own home or with family.

    - Cohort: people with a long-term service (any setting, int_cld_lts_services) active at
      any point in the return's year (starting on or before its last day, open or ending on
      or after its first), alive at the year start (no date of death, or on or after it).
    - Age: on the latest end of those services, each capped to the year end (an open one
      counts as the year end); under 18 left out, unknown age kept.
    - Settled: the person's Accommodation_Status is in the settled group (seed
      ascof_2e_accommodation.is_settled); unknown, unlisted or missing status is not
      settled but stays in the cohort.
    - is_learning_disability: Primary_Support_Reason 'Learning disability support' and
      aged 18 to 64 (the measure's learning-disability part).
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

in_year as (
    select
        s.person_id,
        max(least(coalesce(s.event_end_date, pe.period_end), pe.period_end)) as latest_capped_end
    from {{ ref('int_cld_lts_services') }} as s
    cross join period as pe
    where s.event_start_date <= pe.period_end
      and (s.event_end_date is null or s.event_end_date >= pe.period_start)
    group by s.person_id
),

people as (
    select
        i.person_id,
        i.latest_capped_end,
        {{ age_on('p.date_of_birth', 'i.latest_capped_end') }} as age,
        p.primary_support_reason,
        p.accommodation_status
    from in_year as i
    cross join period as pe
    left join {{ ref('int_cld_people') }} as p
        on p.person_id = i.person_id
    where p.date_of_death is null or p.date_of_death >= pe.period_start
)

select
    p.person_id,
    p.latest_capped_end,
    p.age,
    {{ age_band('p.age') }} as age_band,
    p.primary_support_reason,
    p.accommodation_status,
    coalesce(a.is_settled, false) as is_settled,
    coalesce(p.primary_support_reason = 'Learning disability support' and p.age between 18 and 64, false)
        as is_learning_disability
from people as p
left join {{ ref('ascof_2e_accommodation') }} as a
    on a.accommodation_status = p.accommodation_status
where p.age is null or p.age >= 18
