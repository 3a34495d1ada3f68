{#-
    One row per request for support made on or before the as-of date (metrics.md,
    Requests and waiting): int_request_outcomes (wait, new client, led to long-term
    support), kept incrementally, with what depends on the as-of date itself. A view.
-#}
{{ config(materialized='view', meta={'changed_key': ['request_id', 'request_outcomes']}) }}
select
    request_id,
    person_id,
    team_id,
    request_date,
    route_of_access,
    request_month,
    request_financial_year,
    first_conversation_id,
    first_conversation_type,
    first_conversation_team_id,
    first_conversation_date,
    wait_days,
    is_waiting,
    -- Days waited so far for requests still waiting, for BI worklists.
    case when is_waiting then {{ days_between('request_date', as_of_date()) }} end as days_waiting_at_as_of,
    is_new_client,
    led_to_long_term_support,
    {{ as_of_date() }} as as_of_date
from {{ ref('int_request_outcomes') }}
