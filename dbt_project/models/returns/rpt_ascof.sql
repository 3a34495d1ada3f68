{#-
    The ASCOF measures DHSC derives from Client Level Data, for the return's year
    (docs/returns/ascof.md): one row per row of seed ascof_measures (measure, part, age
    group), every figure beside its numerator and denominator, 0 when nothing counted.

    - 2A: ST-Max clusters (int_ascof_2a_clusters) of the cohort (no exclusion), counted
      by in_numerator / in_denominator; each in its age band at the cluster end and in Total
      (unknown age in Total only).
    - 2B / 2C: new admissions (int_ascof_2bc_admissions) aged 18 to 64 / 65 and above over
      the population of that band (seed council_population_by_age) of the calendar year in
      which the return's year starts, else the latest earlier year (none: null).
    - 2E: people of int_ascof_2e_people, numerator is_settled; 'All adults' by age band and
      Total, 'Learning disability' aged 18 to 64.
    - 3D: people of int_ascof_3d_people; clients for parts 1a (is_self_directed) and 2a
      (is_direct_payment), carers for 1b and 2b; denominator is_in_denominator; by age
      band at the year end and Total.
    value = value_scale (100 for a percentage, 100,000 per 100,000) x numerator /
    denominator, unrounded; null when the denominator is 0 or null. share = numerator /
    denominator.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

units as (
    -- one row per counted unit and the (measure, part, age group) it belongs to
    select '2A' as measure, cast(null as varchar) as part, c.age_band as age_group,
           c.in_numerator as in_numerator, c.in_denominator as in_denominator
    from {{ ref('int_ascof_2a_clusters') }} as c
    where c.exclusion is null
    union all
    select '2A', null, 'Total', c.in_numerator, c.in_denominator
    from {{ ref('int_ascof_2a_clusters') }} as c
    where c.exclusion is null

    union all
    select case a.age_band when '18 to 64' then '2B' else '2C' end, null, a.age_band, true, false
    from {{ ref('int_ascof_2bc_admissions') }} as a

    union all
    select '2E', 'All adults', p.age_band, p.is_settled, true
    from {{ ref('int_ascof_2e_people') }} as p
    union all
    select '2E', 'All adults', 'Total', p.is_settled, true
    from {{ ref('int_ascof_2e_people') }} as p
    union all
    select '2E', 'Learning disability', p.age_band, p.is_settled, true
    from {{ ref('int_ascof_2e_people') }} as p
    where p.is_learning_disability

    union all
    select '3D', case p.cohort when 'clients' then '1a' else '1b' end, p.age_band,
           p.is_self_directed, p.is_in_denominator
    from {{ ref('int_ascof_3d_people') }} as p
    union all
    select '3D', case p.cohort when 'clients' then '1a' else '1b' end, 'Total',
           p.is_self_directed, p.is_in_denominator
    from {{ ref('int_ascof_3d_people') }} as p
    union all
    select '3D', case p.cohort when 'clients' then '2a' else '2b' end, p.age_band,
           p.is_direct_payment, p.is_in_denominator
    from {{ ref('int_ascof_3d_people') }} as p
    union all
    select '3D', case p.cohort when 'clients' then '2a' else '2b' end, 'Total',
           p.is_direct_payment, p.is_in_denominator
    from {{ ref('int_ascof_3d_people') }} as p
),

counted as (
    select
        u.measure,
        u.part,
        u.age_group,
        sum(case when u.in_numerator then 1 else 0 end)   as numerator,
        sum(case when u.in_denominator then 1 else 0 end) as denominator
    from units as u
    group by u.measure, u.part, u.age_group
),

population_year as (
    select max(c.year) as year
    from {{ ref('council_population_by_age') }} as c
    cross join period as pe
    where c.year <= extract(year from pe.period_start)
),

population as (
    select c.age_band, c.population
    from {{ ref('council_population_by_age') }} as c
    join population_year as y
        on y.year = c.year
),

figures as (
    select
        m.sort_order,
        m.measure,
        nullif(m.part, '') as part,
        m.age_group,
        m.measure_group,
        m.description,
        m.value_unit,
        m.value_scale,
        cast(coalesce(c.numerator, 0) as bigint) as numerator,
        cast(case when m.measure in ('2B', '2C') then pop.population
                  else coalesce(c.denominator, 0) end as bigint) as denominator
    from {{ ref('ascof_measures') }} as m
    left join counted as c
        on c.measure = m.measure
       -- blank part: null in the built seed, '' when a unit test reads the CSV
       and coalesce(c.part, '') = coalesce(m.part, '')
       and c.age_group = m.age_group
    left join population as pop
        on pop.age_band = m.age_group
)

select
    f.measure,
    f.part,
    f.age_group,
    f.measure_group,
    f.description,
    f.numerator,
    f.denominator,
    {{ share('f.numerator', 'f.denominator') }} as share,
    f.value_scale * {{ share('f.numerator', 'f.denominator') }} as value,
    f.value_unit,
    f.value_scale,
    pe.period_start as reporting_period_start,
    pe.period_end   as reporting_period_end,
    f.sort_order
from figures as f
cross join period as pe
