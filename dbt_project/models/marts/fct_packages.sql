{#-
    One row per current service line (package) that had started by the as-of date, with
    its costs (metrics.md, Package costs): int_package_costs, kept incrementally, with
    whether the line is active on the as-of date. A view.
-#}
{{ config(materialized='view', meta={'changed_key': ['package_id', 'package_costs']}) }}
select
    c.package_id,
    c.person_id,
    c.conversation_id,
    c.agreeing_team_id,
    c.service_type,
    c.is_long_term,
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
    c.net_weekly_cost,
    c.annualised_cost,
    {{ package_active_on(as_of_date(), 'c') }} as is_active_at_as_of,
    c.provider_id,
    {{ as_of_date() }} as as_of_date
from {{ ref('int_package_costs') }} as c
