{#-
    SALT STS001 (docs/returns/salt.md): one row per Request event in the return's year
    (request date on or between its first and last day) of a person alive at the year
    start, with whether it came from a new client and its sequel.

    - New client: no long-term service (seed cld_service_type_groups.is_long_term_support)
      active on the request date (started on or before it, open or ending on or after it).
    - Age at the year end; rpt_salt_sts001 counts new clients aged 18 or over.
    - Window: the person's events starting on or after the request date and before their
      next request (the first request on a later date; none: no end).
    - Sequel, first that applies: (1) 'service': the highest-ranked service starting in the
      window (seed salt_sts001_service_sequels: ST-Max, LTS nursing, residential, community,
      prison, ST ongoing low level, ST other; unpaid-carer services are not listed), with
      its label there; (2) 'onward event': the Event_Outcome of the last-ending
      Assessment or Review starting in the window (open = last; ties: the greater
      event_reference); (3) 'request': the request's own Event_Outcome. An outcome maps
      with seed salt_sts001_outcome_sequels; no outcome, or one not listed: 'Unable to
      classify'.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

events as (
    select * from {{ ref('int_cld_events') }}
),

service_types as (
    select * from {{ ref('cld_service_type_groups') }}
),

service_sequel_ranks as (
    select * from {{ ref('salt_sts001_service_sequels') }}
),

all_requests as (
    select e.event_reference, e.person_id, e.event_start_date as request_date
    from events as e
    where e.event_type = 'Request'
),

requests as (
    select
        e.event_reference,
        e.person_id,
        e.event_start_date as request_date,
        e.event_outcome,
        e.request_route_of_access,
        p.date_of_birth,
        (select min(n.request_date) from all_requests as n
         where n.person_id = e.person_id and n.request_date > e.event_start_date) as next_request_date,
        pe.period_end
    from events as e
    cross join period as pe
    left join {{ ref('int_cld_people') }} as p
        on p.person_id = e.person_id
    where e.event_type = 'Request'
      and e.event_start_date between pe.period_start and pe.period_end
      and (p.date_of_death is null or p.date_of_death >= pe.period_start)
),

flagged as (
    select
        r.*,
        not exists (
            select 1 from events as l
            join service_types as t
                on t.service_type = l.service_type
            where l.person_id = r.person_id
              and l.event_type = 'Service'
              and t.is_long_term_support
              and l.event_start_date <= r.request_date
              and (l.event_end_date is null or l.event_end_date >= r.request_date)
        ) as is_new_client
    from requests as r
),

service_sequels as (
    select r.event_reference, min(q.sequel_rank) as sequel_rank
    from flagged as r
    join events as s
        on s.person_id = r.person_id
       and s.event_type = 'Service'
    join service_sequel_ranks as q
        on q.service_type = s.service_type
    where s.event_start_date >= r.request_date
      and (r.next_request_date is null or s.event_start_date < r.next_request_date)
    group by r.event_reference
),

onward_events as (
    select event_reference, onward_event_reference, onward_outcome
    from (
        select
            r.event_reference,
            o.event_reference as onward_event_reference,
            o.event_outcome   as onward_outcome,
            row_number() over (
                partition by r.event_reference
                order by coalesce(o.event_end_date, date '9999-12-31') desc, o.event_reference desc
            ) as position
        from flagged as r
        join events as o
            on o.person_id = r.person_id
           and o.event_type in ('Assessment', 'Review')
        where o.event_start_date >= r.request_date
          and (r.next_request_date is null or o.event_start_date < r.next_request_date)
    ) as ranked
    where position = 1
),

sequels as (
    select
        r.*,
        {{ age_on('r.date_of_birth', 'r.period_end') }} as age_at_period_end,
        case
            when s.sequel_rank is not null then 'service'
            when o.event_reference is not null then 'onward event'
            else 'request'
        end as sequel_source,
        q.sequel as service_sequel,
        o.onward_event_reference,
        case
            when s.sequel_rank is not null then null
            when o.event_reference is not null then o.onward_outcome
            else r.event_outcome
        end as sequel_outcome
    from flagged as r
    left join service_sequels as s
        on s.event_reference = r.event_reference
    left join service_sequel_ranks as q
        on q.sequel_rank = s.sequel_rank
    left join onward_events as o
        on o.event_reference = r.event_reference
)

select
    s.event_reference,
    s.person_id,
    s.request_date,
    s.request_route_of_access,
    s.event_outcome as request_outcome,
    s.next_request_date,
    s.is_new_client,
    s.age_at_period_end,
    {{ age_band('s.age_at_period_end') }} as age_band,
    s.sequel_source,
    s.onward_event_reference,
    s.sequel_outcome,
    coalesce(s.service_sequel, m.sequel, 'Unable to classify') as sequel
from sequels as s
left join {{ ref('salt_sts001_outcome_sequels') }} as m
    on m.event_outcome = s.sequel_outcome
