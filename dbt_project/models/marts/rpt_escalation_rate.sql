{#-
    Unexplained direct-escalation rate per team of the C1/C1A (the team that escalated)
    and month of the C3 start (metrics.md): unexplained / all direct escalations, with
    the threshold var('unexplained_rate_threshold') above which the checks warn.
    Unchallenged and premature counts sit beside it.
-#}
with direct as (
    select *
    from {{ ref('fct_conversations') }}
    where is_direct_escalation
)

select
    team_id,
    {{ month_start('next_start_date') }} as month,
    {{ month_label('next_start_date') }} as period,
    count(*) as direct_escalations,
    count(*) filter (where is_unexplained_escalation) as unexplained,
    count(*) filter (where is_unchallenged_escalation) as unchallenged,
    count(*) filter (where is_premature_escalation) as premature,
    {{ share('count(*) filter (where is_unexplained_escalation)', 'count(*)') }} as unexplained_rate,
    cast({{ var('unexplained_rate_threshold') }} as {{ type_double() }}) as threshold,
    {{ share('count(*) filter (where is_unexplained_escalation)', 'count(*)') }}
        > cast({{ var('unexplained_rate_threshold') }} as {{ type_double() }}) as is_over_threshold,
    max(as_of_date) as as_of_date
from direct
group by team_id, {{ month_start('next_start_date') }}, {{ month_label('next_start_date') }}
