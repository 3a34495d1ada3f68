{#-
    ASCOF 2B and 2C (docs/returns/ascof.md): one row per person newly admitted to
    long-term residential or nursing care in the return's year, in one age band.

    - Care-home services: Service events whose Service_Type is a care-home placement (seed
      cld_service_type_groups.is_care_home_placement: long-term residential or nursing
      care) and whose Service_Component is not a short-term care-home stay (seed
      cld_service_component_groups.is_short_term_care_home; no component stays in), of
      people with a known date of birth who had not died before the year started.
    - Admissions: those starting in the year whose Event_Outcome is not
      'NFA: Self-funded client or under 12wk disregard' (no outcome stays in).
    - New: no other care-home service of the person started before it and is still open
      or ended fewer than new_admission_days (365) days before it started.
    - Aged 18 or over on the admission's start date. A person with several new admissions
      is counted once, at the youngest age (so the younger band when they straddle 64/65).
-#}
{%- set new_admission_days = 365 -%}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

care_home_services as (
    select
        e.event_reference,
        e.person_id,
        e.event_start_date,
        e.event_end_date,
        e.event_outcome,
        p.date_of_birth
    from {{ ref('int_cld_events') }} as e
    cross join period as pe
    join {{ ref('cld_service_type_groups') }} as t
        on t.service_type = e.service_type
    left join {{ ref('cld_service_component_groups') }} as c
        on c.service_component = e.service_component
    join {{ ref('int_cld_people') }} as p
        on p.person_id = e.person_id
    where e.event_type = 'Service'
      and t.is_care_home_placement
      and not coalesce(c.is_short_term_care_home, false)
      and p.date_of_birth is not null
      and (p.date_of_death is null or p.date_of_death >= pe.period_start)
),

new_admissions as (
    select
        a.event_reference,
        a.person_id,
        a.event_start_date,
        {{ age_on('a.date_of_birth', 'a.event_start_date') }} as age_at_admission
    from care_home_services as a
    cross join period as pe
    where a.event_start_date between pe.period_start and pe.period_end
      and (a.event_outcome is null or a.event_outcome <> 'NFA: Self-funded client or under 12wk disregard')
      and not exists (
          select 1 from care_home_services as b
          where b.person_id = a.person_id
            and b.event_start_date < a.event_start_date
            and (b.event_end_date is null or a.event_start_date - b.event_end_date < {{ new_admission_days }})
      )
),

people as (
    select
        n.person_id,
        min(n.age_at_admission) as age_at_admission,
        min(n.event_start_date) as first_admission_date,
        count(*)                as new_admissions
    from new_admissions as n
    where n.age_at_admission >= 18
    group by n.person_id
)

select
    p.person_id,
    p.first_admission_date,
    p.new_admissions,
    p.age_at_admission,
    {{ age_band('p.age_at_admission') }} as age_band
from people as p
