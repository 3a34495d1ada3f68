{#-
    The costs of each current service line (package) that had started by the as-of date,
    (metrics.md, Package costs).

    - Units per week come from the export_codes seed (code list cost_frequency): its
      units_per_week column (WEEKLY 1, FORTNIGHTLY 1/2, FOUR_WEEKLY 1/4, MONTHLY 12/52,
      QUARTERLY 4/52, ANNUALLY 1/52, NO_CHARGE 0), or planned_units_per_week where
      uses_planned_units (HOURLY, DAILY, PER_SESSION). ONE_OFF has none.
    - Weekly cost = unit_cost x units per week; null for ONE_OFF (no weekly cost).
    - Net weekly cost = weekly cost - client_contribution_weekly (none = 0), not below 0.
    - Annualised cost = weekly cost x 52 (null for ONE_OFF).
    A correction (a new version of a package_id) replaces the whole line: that is
    int_packages_current. A line starting after the as-of date is left out.
    Incremental by package: a daily build costs again only the lines int_changed_keys
    names (package_costs); whether a line is active on the as-of date itself is left to
    fct_packages.
-#}
{{ config(**incremental_by('package_id', 'package_costs')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

frequencies as (
    select code as cost_frequency, units_per_week, coalesce(uses_planned_units, false) as uses_planned_units
    from {{ ref('export_codes') }}
    where code_list = 'cost_frequency'
),

service_types as (
    select code as service_type, coalesce(is_long_term, false) as is_long_term
    from {{ ref('export_codes') }}
    where code_list = 'service_type'
),

agreeing_conversations as (
    select conversation_id, team_id
    from {{ ref('int_conversations_ordered') }}
),

packages as (
    select
        p.*,
        a.as_of_date,
        p.cost_frequency = 'ONE_OFF' as is_one_off,
        case
            when p.cost_frequency = 'ONE_OFF' then null
            when f.uses_planned_units then p.planned_units_per_week
            else f.units_per_week
        end as units_per_week
    from {{ ref('int_packages_current') }} as p
    cross join as_of as a
    left join frequencies as f
        on f.cost_frequency = p.cost_frequency
    where p.start_date <= a.as_of_date
        and {{ is_changed('p.package_id', 'package_costs') }}
),

costed as (
    select
        *,
        case when not is_one_off then unit_cost * units_per_week end as weekly_cost
    from packages
)

select
    c.package_id,
    c.person_id,
    c.conversation_id,
    ac.team_id                                   as agreeing_team_id,
    c.service_type,
    coalesce(s.is_long_term, false)              as is_long_term,
    c.service_component,
    c.delivery_mechanism,
    c.start_date,
    c.end_date,
    c.cost_frequency,
    c.is_one_off,
    c.unit_cost,
    c.planned_units_per_week,
    c.units_per_week,
    c.weekly_cost,
    c.client_contribution_weekly,
    case
        when not c.is_one_off then greatest(c.weekly_cost - coalesce(c.client_contribution_weekly, 0), 0)
    end                                          as net_weekly_cost,
    c.weekly_cost * 52                           as annualised_cost,
    c.provider_id
from costed as c
left join service_types as s
    on s.service_type = c.service_type
left join agreeing_conversations as ac
    on ac.conversation_id = c.conversation_id
