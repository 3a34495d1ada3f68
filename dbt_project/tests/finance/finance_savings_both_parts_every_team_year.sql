{#- Savings are never shown in one part: every team-year of rpt_savings has both saving types. -#}
select financial_year, team_id, count(distinct saving_type) as saving_types
from {{ ref('rpt_savings') }}
group by financial_year, team_id
having count(distinct saving_type) <> 2
