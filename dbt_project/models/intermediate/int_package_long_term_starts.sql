{#-
    The long-term packages that new-client requests "started" (metrics.md, Savings, new
    clients): one row per new-client request that led to long-term support x each
    long-term (LTS_*) package of the person whose start_date is on or after the request
    date and no later than var('long_term_support_window_days') (90) days after it - the
    very packages that make the request count as led to long-term support. Packages
    starting after the as-of date are not in fct_packages, so never here.
    annualised_cost is null for a ONE_OFF line (no weekly cost).
-#}
select
    r.request_id,
    r.person_id,
    r.team_id,
    r.request_date,
    p.package_id,
    p.service_type,
    p.cost_frequency,
    p.start_date   as package_start_date,
    p.annualised_cost,
    r.as_of_date
from {{ ref('fct_requests') }} as r
inner join {{ ref('fct_packages') }} as p
    on p.person_id = r.person_id
    and p.is_long_term
    and p.start_date >= r.request_date
    and p.start_date <= r.request_date + {{ var('long_term_support_window_days') | int }}
where r.led_to_long_term_support
