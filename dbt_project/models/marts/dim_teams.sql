{#- Teams as known on the as-of date, with whether each was working the Three
    Conversations way by then (go-live date on or before the as-of date). -#}
select
    team_id,
    team_name,
    team_type,
    locality,
    three_c_go_live_date,
    coalesce(three_c_go_live_date <= {{ as_of_date() }}, false) as is_live_on_3cs,
    {{ as_of_date() }} as as_of_date
from {{ ref('int_teams_current') }}
