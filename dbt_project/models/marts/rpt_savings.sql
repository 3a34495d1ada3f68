{#-
    Savings per financial year (April-March) x team x saving type (metrics.md, Savings),
    positive = saved, each row beside the counts and baseline figures that produced it.
    Both types are listed for every team-year, so one is never shown without the other.

    Teams: only teams live on 3Cs (three_c_go_live_date set and on or before the as-of
    date). Years: from the year holding the day before go-live (a journey starting on the
    go-live day is credited to the year of the day before) to the year of the as-of date.

    existing_client_fye: sum over counted journeys (int_person_journey_costs.is_counted:
    first conversation in this team, live on the journey's start; a package active the day
    before; settled var('savings_settle_days') days after the last conversation ended, on
    or before the as-of date) of (gross weekly cost the day before - gross weekly cost on
    the settle day) x 52, in the year of the day before the journey starts.

    new_client_avoidance: (baseline share x baseline mean annualised cost - actual share x
    actual mean annualised cost) x the year's new-client requests, where
    - the team's requests are fct_requests with this team_id (the team that received them);
    - baseline: its new-client requests dated in the var('baseline_months') (12) months
      before go-live (from the same day 12 months earlier, clamped to the month's end, to
      the day before go-live);
    - the year: its new-client requests dated in the year, on or after go-live and on or
      before the as-of date;
    - share = led_to_long_term_support / new-client requests;
    - mean annualised cost: over the distinct long-term packages those requests started
      (int_package_long_term_starts), ONE_OFF lines having none; 0 when none has one;
    - cost per request = share x mean (0 when no request led to long-term support).
    With no baseline requests the avoidance cannot be worked out: amount null. A year with
    no new-client requests avoids nothing: amount 0.
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

live_teams as (
    select
        t.team_id,
        t.team_name,
        t.three_c_go_live_date,
        cast({{ dbt.dateadd('month', -(var('baseline_months') | int), 't.three_c_go_live_date') }} as date) as baseline_from,
        cast(t.three_c_go_live_date - 1 as date) as baseline_to,
        a.as_of_date
    from {{ ref('int_teams_current') }} as t
    cross join as_of as a
    where t.three_c_go_live_date is not null
      and t.three_c_go_live_date <= a.as_of_date
),

team_years as (
    select
        t.*,
        {{ date_from_parts('y.start_year', 4, 1) }} as financial_year_start
    from live_teams as t
        {{ cross_join_integer_series(financial_year_start_year('baseline_to'), financial_year_start_year('as_of_date'), 'y', 'start_year') }}
),

-- existing clients -------------------------------------------------------------------
existing as (
    select
        team_id,
        financial_year,
        count(*)                                                  as journeys,
        -- a change under half a penny is a sum's rounding noise, not a change in care: the
        -- same cost made of different package lines may differ in its last bits
        count(*) filter (where weekly_cost_after < weekly_cost_before - 0.005) as journeys_cost_down,
        count(*) filter (where weekly_cost_after > weekly_cost_before + 0.005) as journeys_cost_up,
        {{ stable_sum('weekly_cost_before', 'journey_id') }}             as weekly_cost_before,
        {{ stable_sum('weekly_cost_after', 'journey_id') }}              as weekly_cost_after,
        {{ stable_sum('full_year_effect', 'journey_id') }}               as amount
    from {{ ref('int_person_journey_costs') }}
    where is_counted
    group by team_id, financial_year
),

-- new clients ------------------------------------------------------------------------
new_client_requests as (
    select r.request_id, r.team_id, r.request_date, r.led_to_long_term_support
    from {{ ref('fct_requests') }} as r
    where r.is_new_client
),

-- each team's new-client requests in its baseline window (set 'baseline') or in a
-- live year (set = the year's label)
request_sets as (
    select t.team_id, 'baseline' as request_set, r.request_id, r.led_to_long_term_support
    from live_teams as t
    inner join new_client_requests as r
        on r.team_id = t.team_id
        and r.request_date between t.baseline_from and t.baseline_to
    union all
    select t.team_id, {{ financial_year_label('r.request_date') }} as request_set,
        r.request_id, r.led_to_long_term_support
    from live_teams as t
    inner join new_client_requests as r
        on r.team_id = t.team_id
        and r.request_date >= t.three_c_go_live_date
),

set_requests as (
    select
        team_id,
        request_set,
        count(*)                                           as new_client_requests,
        count(*) filter (where led_to_long_term_support)   as led_to_long_term_support
    from request_sets
    group by team_id, request_set
),

set_packages as (
    select
        team_id,
        request_set,
        count(*)                                 as long_term_packages,
        count(annualised_cost)                   as costed_long_term_packages,
        {{ stable_avg('annualised_cost', 'package_id') }} as mean_annualised_cost
    from (
        select distinct s.team_id, s.request_set, p.package_id, p.annualised_cost
        from request_sets as s
        inner join {{ ref('int_package_long_term_starts') }} as p
            on p.request_id = s.request_id
    ) as started
    group by team_id, request_set
),

sets as (
    select
        r.team_id,
        r.request_set,
        r.new_client_requests,
        r.led_to_long_term_support,
        {{ share('r.led_to_long_term_support', 'r.new_client_requests') }} as share,
        coalesce(p.long_term_packages, 0)         as long_term_packages,
        coalesce(p.costed_long_term_packages, 0)  as costed_long_term_packages,
        p.mean_annualised_cost
    from set_requests as r
    left join set_packages as p
        on p.team_id = r.team_id and p.request_set = r.request_set
),

new_clients as (
    select
        ty.team_id,
        ty.financial_year_start,
        coalesce(b.new_client_requests, 0)        as baseline_new_client_requests,
        coalesce(b.led_to_long_term_support, 0)   as baseline_led_to_long_term_support,
        b.share                                   as baseline_share,
        coalesce(b.long_term_packages, 0)         as baseline_long_term_packages,
        coalesce(b.costed_long_term_packages, 0)  as baseline_costed_long_term_packages,
        b.mean_annualised_cost                    as baseline_mean_annualised_cost,
        b.share * coalesce(b.mean_annualised_cost, 0) as baseline_cost_per_request,
        coalesce(y.new_client_requests, 0)        as new_client_requests,
        coalesce(y.led_to_long_term_support, 0)   as led_to_long_term_support,
        y.share                                   as actual_share,
        coalesce(y.long_term_packages, 0)         as actual_long_term_packages,
        coalesce(y.costed_long_term_packages, 0)  as actual_costed_long_term_packages,
        y.mean_annualised_cost                    as actual_mean_annualised_cost,
        y.share * coalesce(y.mean_annualised_cost, 0) as actual_cost_per_request
    from team_years as ty
    left join sets as b
        on b.team_id = ty.team_id and b.request_set = 'baseline'
    left join sets as y
        on y.team_id = ty.team_id and y.request_set = {{ financial_year_label('ty.financial_year_start') }}
),

first_request as (
    select min(request_date) as first_request_date from {{ ref('fct_requests') }}
),

rows_out as (
    select
        ty.financial_year_start,
        ty.team_id,
        'existing_client_fye' as saving_type,
        coalesce(e.amount, 0) as amount,
        coalesce(e.journeys, 0)            as journeys,
        coalesce(e.journeys_cost_down, 0)  as journeys_cost_down,
        coalesce(e.journeys_cost_up, 0)    as journeys_cost_up,
        coalesce(e.weekly_cost_before, 0)  as weekly_cost_before,
        coalesce(e.weekly_cost_after, 0)   as weekly_cost_after,
        cast(null as bigint) as baseline_new_client_requests,
        cast(null as bigint) as baseline_led_to_long_term_support,
        cast(null as {{ type_double() }}) as baseline_share,
        cast(null as bigint) as baseline_long_term_packages,
        cast(null as bigint) as baseline_costed_long_term_packages,
        cast(null as {{ type_double() }}) as baseline_mean_annualised_cost,
        cast(null as {{ type_double() }}) as baseline_cost_per_request,
        cast(null as bigint) as new_client_requests,
        cast(null as bigint) as led_to_long_term_support,
        cast(null as {{ type_double() }}) as actual_share,
        cast(null as bigint) as actual_long_term_packages,
        cast(null as bigint) as actual_costed_long_term_packages,
        cast(null as {{ type_double() }}) as actual_mean_annualised_cost,
        cast(null as {{ type_double() }}) as actual_cost_per_request
    from team_years as ty
    left join existing as e
        on e.team_id = ty.team_id
        and e.financial_year = {{ financial_year_label('ty.financial_year_start') }}
    union all
    select
        n.financial_year_start,
        n.team_id,
        'new_client_avoidance' as saving_type,
        case
            when n.baseline_new_client_requests = 0 then null
            when n.new_client_requests = 0 then 0
            else (n.baseline_cost_per_request - n.actual_cost_per_request) * n.new_client_requests
        end as amount,
        cast(null as bigint), cast(null as bigint), cast(null as bigint), cast(null as {{ type_double() }}), cast(null as {{ type_double() }}),
        n.baseline_new_client_requests,
        n.baseline_led_to_long_term_support,
        n.baseline_share,
        n.baseline_long_term_packages,
        n.baseline_costed_long_term_packages,
        n.baseline_mean_annualised_cost,
        n.baseline_cost_per_request,
        n.new_client_requests,
        n.led_to_long_term_support,
        n.actual_share,
        n.actual_long_term_packages,
        n.actual_costed_long_term_packages,
        n.actual_mean_annualised_cost,
        n.actual_cost_per_request
    from new_clients as n
)

select
    {{ financial_year_label('o.financial_year_start') }} as financial_year,
    o.financial_year_start,
    o.team_id,
    t.team_name,
    t.three_c_go_live_date,
    o.saving_type,
    o.amount,
    o.journeys,
    o.journeys_cost_down,
    o.journeys_cost_up,
    o.weekly_cost_before,
    o.weekly_cost_after,
    case when o.saving_type = 'new_client_avoidance' then t.baseline_from end as baseline_from,
    case when o.saving_type = 'new_client_avoidance' then t.baseline_to end   as baseline_to,
    case when o.saving_type = 'new_client_avoidance'
        then t.baseline_from < f.first_request_date end                   as is_baseline_partial,
    o.baseline_new_client_requests,
    o.baseline_led_to_long_term_support,
    o.baseline_share,
    o.baseline_long_term_packages,
    o.baseline_costed_long_term_packages,
    o.baseline_mean_annualised_cost,
    o.baseline_cost_per_request,
    o.new_client_requests,
    o.led_to_long_term_support,
    o.actual_share,
    o.actual_long_term_packages,
    o.actual_costed_long_term_packages,
    o.actual_mean_annualised_cost,
    o.actual_cost_per_request,
    t.as_of_date
from rows_out as o
inner join live_teams as t
    on t.team_id = o.team_id
cross join first_request as f
