{#-
    Every current request, conversation and package as a Client Level Data event, whatever
    its dates, with its true end date (the year's file blanks end dates after the year).
    The mapping (docs/returns/cld.md):
    - a request is a one-day Request event on its request_date; its outcome comes from
      what followed it by the period end (seed cld_derived_values, rule request_outcome);
    - a conversation is a Review when it has no request_id and the person had a long-term
      package (LTS_*) active on its start date; otherwise an Assessment: short term for
      C1A, C1 and C2, long term for C3;
    - a package line is a Service event from its start_date to its end_date, as delivered
      (the mapping's words; a ONE_OFF line's cost counts on its start date only, but its
      event runs to its end_date like any other line).
    Records dated after the as-of date are left out, as in every figure.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

packages as (
    select * from {{ ref('fct_packages') }}
),

conversations as (
    select c.*
    from {{ ref('int_conversations_current') }} as c
    where c.start_date <= {{ as_of_date() }}
),

reviews as (
    select distinct c.conversation_id
    from conversations as c
    join packages as p
        on p.person_id = c.person_id
       and p.is_long_term
       and {{ package_active_on('c.start_date', 'p') }}
    where c.request_id is null
),

request_answers as (
    select c.request_id, min(c.start_date) as first_conversation_date
    from conversations as c
    where c.request_id is not null
    group by c.request_id
),

requests as (
    select
        'Request'                                   as event_type,
        'REQ-' || r.request_id                      as event_reference,
        'request'                                   as source_entity,
        r.request_id                                as source_id,
        r.person_id,
        'Request for support'                       as event_description,
        r.request_date                              as event_start_date,
        r.request_date                              as event_end_date,
        {{ cld_derived('request_outcome',
            "case when a.first_conversation_date <= pe.period_end then 'conversation_followed'
                  when pp.date_of_death <= pe.period_end then 'died_waiting'
                  else 'waiting' end") }}           as event_outcome,
        {{ cld_value('route_of_access', 'Request_Route_of_Access', 'r.route_of_access') }}
                                                    as request_route_of_access,
        cast(null as varchar)                       as assessment_type,
        cast(null as varchar)                       as review_reason,
        cast(null as varchar)                       as service_type,
        cast(null as varchar)                       as service_component,
        cast(null as varchar)                       as delivery_mechanism,
        cast(null as varchar)                       as client_funding_status,
        cast(null as {{ type_double() }})              as unit_cost,
        cast(null as varchar)                       as cost_frequency_unit_type,
        cast(null as {{ type_double() }})              as planned_units_per_week,
        false                                       as is_carer_service
    from {{ ref('int_requests_current') }} as r
    cross join period as pe
    left join request_answers as a
        on a.request_id = r.request_id
    left join {{ ref('int_people_current') }} as pp
        on pp.person_id = r.person_id
    where r.request_date <= {{ as_of_date() }}
),

conversation_events as (
    select
        case when rv.conversation_id is not null then 'Review' else 'Assessment' end as event_type,
        'CONV-' || c.conversation_id                as event_reference,
        'conversation'                              as source_entity,
        c.conversation_id                           as source_id,
        c.person_id,
        'Three Conversations: ' || c.conversation_type as event_description,
        c.start_date                                as event_start_date,
        c.end_date                                  as event_end_date,
        {{ cld_value('outcome', 'Event_Outcome', 'c.outcome') }} as event_outcome,
        cast(null as varchar)                       as request_route_of_access,
        case when rv.conversation_id is null
             then {{ cld_value('conversation_type', 'Assessment_Type', 'c.conversation_type') }} end
                                                    as assessment_type,
        case when rv.conversation_id is not null
             then {{ cld_value('conversation_type', 'Review_Reason', 'c.conversation_type') }} end
                                                    as review_reason,
        cast(null as varchar)                       as service_type,
        cast(null as varchar)                       as service_component,
        cast(null as varchar)                       as delivery_mechanism,
        cast(null as varchar)                       as client_funding_status,
        cast(null as {{ type_double() }})              as unit_cost,
        cast(null as varchar)                       as cost_frequency_unit_type,
        cast(null as {{ type_double() }})              as planned_units_per_week,
        false                                       as is_carer_service
    from conversations as c
    left join reviews as rv
        on rv.conversation_id = c.conversation_id
),

service_events as (
    select
        'Service'                                   as event_type,
        'PKG-' || p.package_id                      as event_reference,
        'package'                                   as source_entity,
        p.package_id                                as source_id,
        p.person_id,
        cast(null as varchar)                       as event_description,
        p.start_date                                as event_start_date,
        p.end_date                                  as event_end_date,
        {{ cld_derived('service_outcome',
            "case when p.end_date is null or p.end_date > pe.period_end then 'open_at_period_end'
                  when pp.date_of_death <= p.end_date + 7 then 'ended_person_died'
                  else 'ended' end") }}             as event_outcome,
        cast(null as varchar)                       as request_route_of_access,
        cast(null as varchar)                       as assessment_type,
        cast(null as varchar)                       as review_reason,
        {{ cld_value('service_type', 'Service_Type', 'p.service_type') }}             as service_type,
        {{ cld_value('service_component', 'Service_Component', 'p.service_component') }} as service_component,
        {{ cld_value('delivery_mechanism', 'Delivery_Mechanism', 'p.delivery_mechanism') }} as delivery_mechanism,
        {{ cld_derived('client_funding_status',
            "case when p.weekly_cost is null then 'no_weekly_cost'
                  when coalesce(p.client_contribution_weekly, 0) = 0 then 'no_contribution'
                  when p.client_contribution_weekly >= p.weekly_cost then 'full_contribution'
                  else 'part_contribution' end") }} as client_funding_status,
        p.unit_cost                                 as unit_cost,
        {{ cld_value('cost_frequency', 'Cost_Frequency_Unit_Type', 'p.cost_frequency') }} as cost_frequency_unit_type,
        cast(p.planned_units_per_week as {{ type_double() }}) as planned_units_per_week,
        p.service_type = 'CARER_DIRECT'             as is_carer_service
    from packages as p
    cross join period as pe
    left join {{ ref('int_people_current') }} as pp
        on pp.person_id = p.person_id
)

select * from requests
union all
select * from conversation_events
union all
select * from service_events
