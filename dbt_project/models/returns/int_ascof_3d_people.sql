{#-
    ASCOF 3D (docs/returns/ascof.md): one row per person in either cohort of the measure,
    with their best delivery mechanism and whether they count.

    - cohort 'clients' (parts 1a and 2a): people with a 'Long term support: Community'
      service (int_cld_lts_services.is_community) active on the year's last day, alive on
      it (no date of death, or on or after it), not under 18 on it (unknown age kept).
      in_care_home: also in nursing or residential care on that day (a higher setting):
      left out of the denominator.
    - cohort 'carers' (parts 1b and 2b): people with an unpaid-carer service direct to them
      (seed cld_service_type_groups.is_direct_to_unpaid_carer) active at any point in the
      year, alive at the year start, not under 18 at the year end (unknown age kept).
    - A line's delivery mechanism is its Delivery_Mechanism, or a direct payment when its
      Service_Component is 'Direct payment' (seed cld_service_component_groups); a person
      takes the best one over their lines (seed ascof_3d_delivery_mechanisms:
      Direct payment > CASSR managed personal budget > CASSR commissioned support);
      none of those = unknown.
    - is_in_denominator: clients not in a care home; carers with a known mechanism.
      is_self_directed: the best mechanism is a direct payment or managed personal budget
      (parts 1a, 1b); is_direct_payment: a direct payment (2a, 2b).
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

mechanisms as (
    select * from {{ ref('ascof_3d_delivery_mechanisms') }}
),

direct_payment_rank as (
    select min(mechanism_rank) as mechanism_rank from mechanisms where is_direct_payment
),

lines as (
    -- long-term lines active on the year end (clients)
    select
        'clients' as cohort,
        s.person_id,
        s.is_community,
        s.is_care_home_placement,
        s.service_component,
        s.delivery_mechanism
    from {{ ref('int_cld_lts_services') }} as s
    cross join period as pe
    where s.event_start_date <= pe.period_end
      and (s.event_end_date is null or s.event_end_date >= pe.period_end)
    union all
    -- unpaid-carer services direct to the carer, active in the year (carers)
    select
        'carers' as cohort,
        e.person_id,
        false as is_community,
        false as is_care_home_placement,
        e.service_component,
        e.delivery_mechanism
    from {{ ref('int_cld_events') }} as e
    cross join period as pe
    join {{ ref('cld_service_type_groups') }} as t
        on t.service_type = e.service_type
    where e.event_type = 'Service'
      and t.is_direct_to_unpaid_carer
      and e.event_start_date <= pe.period_end
      and (e.event_end_date is null or e.event_end_date >= pe.period_start)
),

ranked_lines as (
    select
        l.*,
        case when coalesce(c.is_direct_payment, false) then d.mechanism_rank else m.mechanism_rank end
            as mechanism_rank
    from lines as l
    cross join direct_payment_rank as d
    left join {{ ref('cld_service_component_groups') }} as c
        on c.service_component = l.service_component
    left join mechanisms as m
        on m.delivery_mechanism = l.delivery_mechanism
),

people as (
    select
        r.cohort,
        r.person_id,
        bool_or(r.is_care_home_placement) as in_care_home,
        bool_or(r.is_community)           as has_community,
        min(case when r.cohort = 'carers' or r.is_community then r.mechanism_rank end) as best_mechanism_rank
    from ranked_lines as r
    group by r.cohort, r.person_id
),

aged as (
    select
        x.*,
        {{ age_on('p.date_of_birth', 'pe.period_end') }} as age_at_year_end
    from people as x
    cross join period as pe
    left join {{ ref('int_cld_people') }} as p
        on p.person_id = x.person_id
    where (x.cohort = 'carers' or x.has_community)
      and (p.date_of_death is null
           or p.date_of_death >= case when x.cohort = 'clients' then pe.period_end else pe.period_start end)
),

counted as (
    select
        a.*,
        case when a.cohort = 'clients' then not a.in_care_home else a.best_mechanism_rank is not null end
            as is_in_denominator
    from aged as a
    where a.age_at_year_end is null or a.age_at_year_end >= 18
)

select
    c.cohort,
    c.person_id,
    c.age_at_year_end,
    {{ age_band('c.age_at_year_end') }} as age_band,
    c.in_care_home,
    m.delivery_mechanism as best_delivery_mechanism,
    c.is_in_denominator,
    c.is_in_denominator and coalesce(m.is_self_directed, false)  as is_self_directed,
    c.is_in_denominator and coalesce(m.is_direct_payment, false) as is_direct_payment
from counted as c
left join mechanisms as m
    on m.mechanism_rank = c.best_mechanism_rank
