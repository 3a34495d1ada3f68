{#-
    SALT STS001 (docs/returns/salt.md): requests for support from new clients in the
    return's year, by Request_Route_of_Access x age band (at the year end) x sequel, from
    int_salt_sts001_requests. New clients only; unknown age and under-18s are left out.
    Only combinations with at least one request are listed.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
)

select
    pe.period_start as reporting_period_start,
    pe.period_end   as reporting_period_end,
    r.request_route_of_access,
    r.age_band,
    r.sequel,
    count(*)        as requests
from {{ ref('int_salt_sts001_requests') }} as r
cross join period as pe
where r.is_new_client
  and r.age_at_period_end >= 18
group by pe.period_start, pe.period_end, r.request_route_of_access, r.age_band, r.sequel
