{#- Each savings amount is reproduced by the inputs published beside it, and the existing-client
    amounts add up to the counted journeys of int_person_journey_costs. Within a relative 1e-9:
    the amounts are sums of doubles, and a team-year of a large council reaches tens of millions,
    where an absolute tolerance would fail on the last bits of a correct sum. -#}
with journeys as (
    select team_id, financial_year, count(*) as journeys, sum(full_year_effect) as amount
    from {{ ref('int_person_journey_costs') }}
    where is_counted
    group by team_id, financial_year
)

select s.financial_year, s.team_id, s.saving_type, s.amount
from {{ ref('rpt_savings') }} as s
left join journeys as j
    on j.team_id = s.team_id and j.financial_year = s.financial_year
where (s.saving_type = 'existing_client_fye' and (
        abs(s.amount - (s.weekly_cost_before - s.weekly_cost_after) * 52) > 1e-9 * greatest(1, abs(s.amount))
        or abs(s.amount - coalesce(j.amount, 0)) > 1e-9 * greatest(1, abs(s.amount))
        or s.journeys <> coalesce(j.journeys, 0)))
   or (s.saving_type = 'new_client_avoidance' and s.amount is not null and s.new_client_requests > 0
        and abs(s.amount - (s.baseline_cost_per_request - s.actual_cost_per_request) * s.new_client_requests)
            > 1e-9 * greatest(1, abs(s.amount)))
   or (s.saving_type = 'new_client_avoidance' and s.amount is null and s.baseline_new_client_requests > 0)
