{#-
    The outcome of each request for support made on or before the as-of date (metrics.md,
    Requests and waiting).

    - Wait: days from request_date to the start of the first conversation (in the
      conversation order) answering the request. None yet = waiting, wait null.
    - New client: no long-term (LTS_*) package of the person active on request_date,
      "active" as in metrics.md: start_date <= d and (end_date null or d <= end_date),
      but a ONE_OFF line only on its start_date. A package starting on the request day
      is active on it, so that person is not a new client.
    - Led to long-term support: a new client whose long-term package starts on or
      after request_date and at most var('long_term_support_window_days') days later.
    Packages starting after the as-of date are left out, like every later record.
    Incremental by request: a daily build works out again only the requests
    int_changed_keys names (request_outcomes); what depends on the as-of date itself
    (days waiting so far) is left to fct_requests.
-#}
{{ config(**incremental_by('request_id', 'request_outcomes')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

requests as (
    select r.*, a.as_of_date
    from {{ ref('int_requests_current') }} as r
    cross join as_of as a
    where r.request_date <= a.as_of_date
        and {{ is_changed('r.request_id', 'request_outcomes') }}
),

first_conversations as (
    select
        request_id,
        conversation_id    as first_conversation_id,
        conversation_type  as first_conversation_type,
        team_id            as first_conversation_team_id,
        start_date         as first_conversation_date
    from (
        select
            *,
            row_number() over (
                partition by request_id
                order by start_date, conversation_type_rank, conversation_id
            ) as answer_rank
        from {{ ref('int_conversations_ordered') }}
        where request_id is not null
            and {{ is_changed('request_id', 'request_outcomes') }}
    ) as answers
    where answer_rank = 1
),

long_term_packages as (
    select p.person_id, p.start_date, p.end_date, p.cost_frequency
    from {{ ref('int_packages_current') }} as p
    inner join {{ ref('export_codes') }} as s
        on s.code_list = 'service_type'
        and s.code = p.service_type
        and s.is_long_term
    cross join as_of as a
    where p.start_date <= a.as_of_date
        and p.person_id in (select person_id from requests)
),

long_term_on_request_day as (
    select distinct r.request_id
    from requests as r
    inner join long_term_packages as p
        on p.person_id = r.person_id
        and p.start_date <= r.request_date
        and (
            case
                when p.cost_frequency = 'ONE_OFF' then r.request_date = p.start_date
                else p.end_date is null or r.request_date <= p.end_date
            end
        )
),

long_term_started_after as (
    select distinct r.request_id
    from requests as r
    inner join long_term_packages as p
        on p.person_id = r.person_id
        and p.start_date >= r.request_date
        and p.start_date <= r.request_date + {{ var('long_term_support_window_days') | int }}
),

joined as (
    select
        r.request_id,
        r.person_id,
        r.team_id,
        r.request_date,
        r.route_of_access,
        f.first_conversation_id,
        f.first_conversation_type,
        f.first_conversation_team_id,
        f.first_conversation_date,
        {{ days_between('r.request_date', 'f.first_conversation_date') }} as wait_days,
        f.first_conversation_id is null            as is_waiting,
        ltd.request_id is null                     as is_new_client,
        lts.request_id is not null                 as has_long_term_start_in_window
    from requests as r
    left join first_conversations as f
        on f.request_id = r.request_id
    left join long_term_on_request_day as ltd
        on ltd.request_id = r.request_id
    left join long_term_started_after as lts
        on lts.request_id = r.request_id
)

select
    request_id,
    person_id,
    team_id,
    request_date,
    route_of_access,
    {{ month_start('request_date') }}          as request_month,
    {{ financial_year_label('request_date') }} as request_financial_year,
    first_conversation_id,
    first_conversation_type,
    first_conversation_team_id,
    first_conversation_date,
    wait_days,
    is_waiting,
    is_new_client,
    is_new_client and has_long_term_start_in_window as led_to_long_term_support
from joined
