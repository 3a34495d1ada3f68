{#-
    Every long-term support (LTS) Service event, whatever its dates, with its support setting
    for the SALT LTS001 tables and ASCOF 2E and 3D (seed cld_lts_settings):
    Nursing > Residential > Community: Direct payment > Community: CASSR managed personal
    budget > Community: CASSR commissioned support > Community: unknown delivery mechanism
    > Prison. A seed row with a blank delivery_mechanism matches any; a line takes the
    matching row of the lowest setting_rank. Which service types are long-term support
    comes from seed cld_service_type_groups.
-#}
with lts as (
    select
        e.event_reference,
        e.person_id,
        e.event_start_date,
        e.event_end_date,
        e.service_type,
        e.service_component,
        e.delivery_mechanism,
        g.is_care_home_placement
    from {{ ref('int_cld_events') }} as e
    join {{ ref('cld_service_type_groups') }} as g
        on g.service_type = e.service_type
    where e.event_type = 'Service'
      and g.is_long_term_support
),

matched as (
    select l.event_reference, min(s.setting_rank) as setting_rank
    from lts as l
    join {{ ref('cld_lts_settings') }} as s
        on s.service_type = l.service_type
       -- blank = any (nullif: a unit test reads a blank cell as '', the built seed as null)
       and (nullif(s.delivery_mechanism, '') is null or s.delivery_mechanism = l.delivery_mechanism)
    group by l.event_reference
)

select
    l.event_reference,
    l.person_id,
    l.event_start_date,
    l.event_end_date,
    l.service_type,
    l.service_component,
    l.delivery_mechanism,
    s.support_setting,
    s.setting_rank,
    s.is_community,
    l.is_care_home_placement
from lts as l
left join matched as m
    on m.event_reference = l.event_reference
left join {{ ref('cld_lts_settings') }} as s
    on s.setting_rank = m.setting_rank
