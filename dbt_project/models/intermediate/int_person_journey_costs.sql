{#-
    Every journey with the person's weekly cost before and after it: the inputs of the
    existing-client saving (metrics.md, Savings, existing clients, cashable full-year effect).

    - Day before: the day before the journey's first conversation starts. The person is an
      existing client when any package of theirs is active that day (any service type, a
      ONE_OFF line on its start day included).
    - Settle day: var('savings_settle_days') (28) days after the end_date of the journey's
      last conversation. The journey is settled when it is not open and the settle day is on
      or before the as-of date (its last conversation ended at least 28 days before it).
    - Weekly costs are gross (before client contributions), from int_person_weekly_cost:
      0 on a day with no active line.
    - Team: the team of the journey's first conversation; live when its
      three_c_go_live_date is on or before the journey's start (the first conversation's
      start_date): the go-live day itself counts.
    - Financial year: the one the day before the start falls in.
    Counted when live, an existing client and settled; full-year effect =
    (weekly cost before - weekly cost after) x 52, positive = saved.
    Incremental by person: a daily build works out again only the people int_changed_keys
    names (journey_cost_people).
-#}
{{ config(**incremental_by('person_id', 'journey_cost_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

teams as (
    select team_id, three_c_go_live_date
    from {{ ref('int_teams_current') }}
),

journeys as (
    select
        j.journey_id,
        j.person_id,
        j.first_conversation_id,
        j.first_conversation_type,
        j.first_team_id,
        j.start_date,
        cast(j.start_date - 1 as date) as day_before_start,
        j.last_conversation_id,
        j.last_conversation_type,
        j.last_end_date,
        j.conversations,
        j.is_open,
        case
            when not j.is_open and j.last_end_date is not null
                then cast(j.last_end_date + {{ var('savings_settle_days') | int }} as date)
        end as settle_date,
        a.as_of_date
    from {{ ref('int_journeys') }} as j
    cross join as_of as a
    where {{ is_changed('j.person_id', 'journey_cost_people') }}
),

flagged as (
    select
        j.*,
        t.three_c_go_live_date,
        coalesce(t.three_c_go_live_date <= j.start_date, false) as is_team_live,
        coalesce(j.settle_date <= j.as_of_date, false)          as is_settled
    from journeys as j
    left join teams as t
        on t.team_id = j.first_team_id
),

costed as (
    select
        f.*,
        b.person_id is not null                    as is_existing_client,
        coalesce(b.weekly_cost, 0)                 as weekly_cost_before,
        coalesce(b.active_packages, 0)             as packages_before,
        case when f.is_settled then coalesce(s.weekly_cost, 0) end       as weekly_cost_after,
        case when f.is_settled then coalesce(s.active_packages, 0) end   as packages_after
    from flagged as f
    left join {{ ref('int_person_weekly_cost') }} as b
        on b.person_id = f.person_id
        and f.day_before_start >= b.valid_from
        and (b.valid_to is null or f.day_before_start <= b.valid_to)
    left join {{ ref('int_person_weekly_cost') }} as s
        on s.person_id = f.person_id
        and f.is_settled
        and f.settle_date >= s.valid_from
        and (s.valid_to is null or f.settle_date <= s.valid_to)
)

select
    journey_id,
    person_id,
    first_conversation_id,
    first_conversation_type,
    first_team_id                                  as team_id,
    three_c_go_live_date,
    start_date,
    day_before_start,
    {{ financial_year_label('day_before_start') }} as financial_year,
    last_conversation_id,
    last_conversation_type,
    last_end_date,
    settle_date,
    conversations,
    is_open,
    is_team_live,
    is_existing_client,
    is_settled,
    is_team_live and is_existing_client and is_settled as is_counted,
    packages_before,
    weekly_cost_before,
    packages_after,
    weekly_cost_after,
    case when is_existing_client and is_settled
        then (weekly_cost_before - weekly_cost_after) * 52 end as full_year_effect
from costed
