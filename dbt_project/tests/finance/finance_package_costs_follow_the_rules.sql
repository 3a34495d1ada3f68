{#- Every line's costs agree with each other: ONE_OFF has no weekly, net or annualised cost and
    every other line has all three; net is between 0 and the weekly cost; annualised = weekly x 52. -#}
select package_id, cost_frequency, weekly_cost, net_weekly_cost, annualised_cost
from {{ ref('fct_packages') }}
where (is_one_off and (weekly_cost is not null or net_weekly_cost is not null or annualised_cost is not null))
   or (not is_one_off and (weekly_cost is null or net_weekly_cost is null or annualised_cost is null))
   or net_weekly_cost > weekly_cost + 1e-9
   or abs(annualised_cost - weekly_cost * 52) > 1e-6
