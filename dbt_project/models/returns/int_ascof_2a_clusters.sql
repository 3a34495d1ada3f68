{#-
    ASCOF 2A (docs/returns/ascof.md): one row per cluster of a person's short-term
    reablement (Service_Type ST-Max, seed cld_service_type_groups.is_reablement) that ended
    in the return's year, with why it is left out (exclusion) or its sequel.

    - Clusters: a person's ST-Max services in start order; a service starting no more than
      cluster_gap_days (7) after the latest end so far (open end = 9999-12-31) joins the
      cluster, a later one starts a new cluster. The cluster's outcome is that of its
      last-ending service (ties: the greater event_reference).
    - In the year: the cluster ends on or between the year's first and last day.
    - Exclusions, first that applies: not a new client (a long-term service started before
      the cluster and is open or ended fewer than new_client_days (91) days before it
      started); under 18 at the cluster end (unknown age stays); died before the cluster.
    - Sequel, first step that applies: (1) died on or before the cluster end + 7 days:
      'NFA: Deceased'; (2) a service that is not unpaid-carer support, starting on or after
      the cluster start and no later than the end + 7, ending after the end: the service
      type ranked highest (seed ascof_2a_sequel_services); (3) an outcome in the numerator list
      (seed ascof_2a_final_outcomes.in_numerator) on the cluster or on a non-service event
      starting after the cluster start and no later than the end + 7 that ends after the
      end (the cluster's own outcome first, then the latest-ending event's); (4) an
      Equipment service nested in the cluster (starting on or after its start, ending after
      its start and on or before its end): 'Short term support: Ongoing low level';
      (5) unable to classify: the cluster's own outcome.
    - in_denominator / in_numerator: the final outcome's row in seed ascof_2a_final_outcomes
      (not listed: neither).
-#}
{%- set cluster_gap_days = 7 -%}
{%- set sequel_window_days = 7 -%}
{%- set new_client_days = 91 -%}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

events as (
    select
        e.*,
        coalesce(e.event_end_date, date '9999-12-31') as end_or_open
    from {{ ref('int_cld_events') }} as e
),

service_types as (
    select * from {{ ref('cld_service_type_groups') }}
),

reablement as (
    select e.person_id, e.event_reference, e.event_start_date, e.end_or_open, e.event_outcome
    from events as e
    join service_types as t
        on t.service_type = e.service_type
    where e.event_type = 'Service'
      and t.is_reablement
),

with_previous_end as (
    select
        r.*,
        max(r.end_or_open) over (
            partition by r.person_id
            order by r.event_start_date, r.end_or_open, r.event_reference
            rows between unbounded preceding and 1 preceding
        ) as previous_end
    from reablement as r
),

numbered as (
    select
        w.*,
        sum(case when w.previous_end is not null
                      and w.event_start_date - w.previous_end <= {{ cluster_gap_days }} then 0 else 1 end) over (
            partition by w.person_id
            order by w.event_start_date, w.end_or_open, w.event_reference
            rows between unbounded preceding and current row
        ) as cluster_number
    from with_previous_end as w
),

last_ending as (
    select person_id, cluster_number, event_outcome as cluster_outcome
    from (
        select
            n.*,
            row_number() over (
                partition by n.person_id, n.cluster_number
                order by n.end_or_open desc, n.event_reference desc
            ) as position
        from numbered as n
    ) as ranked
    where position = 1
),

clusters as (
    select
        n.person_id,
        n.cluster_number,
        min(n.event_start_date) as cluster_start,
        max(n.end_or_open)      as cluster_end,
        count(*)                as reablement_services
    from numbered as n
    group by n.person_id, n.cluster_number
),

in_year as (
    select
        c.*,
        l.cluster_outcome,
        p.date_of_birth,
        p.date_of_death,
        {{ age_on('p.date_of_birth', 'c.cluster_end') }} as age_at_cluster_end
    from clusters as c
    cross join period as pe
    join last_ending as l
        on l.person_id = c.person_id and l.cluster_number = c.cluster_number
    left join {{ ref('int_cld_people') }} as p
        on p.person_id = c.person_id
    where c.cluster_end between pe.period_start and pe.period_end
),

long_term as (
    select e.person_id, e.event_start_date, e.event_end_date
    from events as e
    join service_types as t
        on t.service_type = e.service_type
    where e.event_type = 'Service'
      and t.is_long_term_support
),

cohort as (
    select
        c.*,
        case
            when exists (
                select 1 from long_term as l
                where l.person_id = c.person_id
                  and l.event_start_date < c.cluster_start
                  and (l.event_end_date is null or c.cluster_start - l.event_end_date < {{ new_client_days }})
            ) then 'not a new client'
            when c.age_at_cluster_end < 18 then 'under 18'
            when c.date_of_death < c.cluster_start then 'died before the reablement'
        end as exclusion
    from in_year as c
),

service_sequels as (
    select c.person_id, c.cluster_number, min(q.sequel_rank) as sequel_rank
    from cohort as c
    join events as e
        on e.person_id = c.person_id
       and e.event_type = 'Service'
    join {{ ref('ascof_2a_sequel_services') }} as q
        on q.service_type = e.service_type
    where c.exclusion is null
      and e.event_start_date >= c.cluster_start
      and e.event_start_date <= c.cluster_end + {{ sequel_window_days }}
      and e.end_or_open > c.cluster_end
    group by c.person_id, c.cluster_number
),

outcome_candidates as (
    select c.person_id, c.cluster_number, c.cluster_outcome as outcome,
           1 as source_order, cast(null as date) as end_or_open, cast(null as varchar) as event_reference
    from cohort as c
    where c.exclusion is null
    union all
    select c.person_id, c.cluster_number, e.event_outcome as outcome,
           2 as source_order, e.end_or_open, e.event_reference
    from cohort as c
    join events as e
        on e.person_id = c.person_id
       and e.event_type <> 'Service'
    where c.exclusion is null
      and e.event_start_date > c.cluster_start
      and e.event_start_date <= c.cluster_end + {{ sequel_window_days }}
      and e.end_or_open > c.cluster_end
),

numerator_outcomes as (
    select person_id, cluster_number, outcome
    from (
        select
            o.*,
            row_number() over (
                partition by o.person_id, o.cluster_number
                order by o.source_order, o.end_or_open desc, o.event_reference desc
            ) as position
        from outcome_candidates as o
        join {{ ref('ascof_2a_final_outcomes') }} as f
            on f.final_outcome = o.outcome
        where f.in_numerator
    ) as ranked
    where position = 1
),

nested_equipment as (
    select distinct c.person_id, c.cluster_number
    from cohort as c
    join events as e
        on e.person_id = c.person_id
       and e.event_type = 'Service'
    join {{ ref('cld_service_component_groups') }} as g
        on g.service_component = e.service_component
    where c.exclusion is null
      and g.is_equipment
      and e.event_start_date >= c.cluster_start
      and e.end_or_open > c.cluster_start
      and e.end_or_open <= c.cluster_end
),

sequels as (
    select
        c.*,
        case
            when c.exclusion is not null then null
            when c.date_of_death <= c.cluster_end + {{ sequel_window_days }} then 1
            when s.sequel_rank is not null then 2
            when n.outcome is not null then 3
            when q.person_id is not null then 4
            else 5
        end as sequel_step,
        st.service_type as sequel_service_type,
        n.outcome as numerator_outcome
    from cohort as c
    left join service_sequels as s
        on s.person_id = c.person_id and s.cluster_number = c.cluster_number
    left join {{ ref('ascof_2a_sequel_services') }} as st
        on st.sequel_rank = s.sequel_rank
    left join numerator_outcomes as n
        on n.person_id = c.person_id and n.cluster_number = c.cluster_number
    left join nested_equipment as q
        on q.person_id = c.person_id and q.cluster_number = c.cluster_number
),

final as (
    select
        s.*,
        case s.sequel_step
            when 1 then 'NFA: Deceased'
            when 2 then s.sequel_service_type
            when 3 then s.numerator_outcome
            when 4 then 'Short term support: Ongoing low level'
            when 5 then s.cluster_outcome
        end as final_outcome
    from sequels as s
)

select
    f.person_id,
    f.cluster_number,
    f.cluster_start,
    f.cluster_end,
    f.reablement_services,
    f.cluster_outcome,
    f.age_at_cluster_end,
    {{ age_band('f.age_at_cluster_end') }} as age_band,
    f.date_of_death,
    f.exclusion,
    f.sequel_step,
    f.final_outcome,
    coalesce(o.in_denominator, false) as in_denominator,
    coalesce(o.in_numerator, false)   as in_numerator
from final as f
left join {{ ref('ascof_2a_final_outcomes') }} as o
    on o.final_outcome = f.final_outcome
   and f.exclusion is null
