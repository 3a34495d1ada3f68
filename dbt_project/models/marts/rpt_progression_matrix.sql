{#-
    Progression matrix of metrics.md: journeys by the type of their first conversation
    (rows) and of their last (columns), per calendar month and financial year of the
    journey's start (its first conversation's start_date), with each cell's share of
    all journeys that started in the period. Only cells with journeys are listed;
    a missing cell is zero. Open journeys count by their last conversation so far.
-#}
with journeys as (
    select *, {{ as_of_date() }} as as_of_date
    from {{ ref('int_journeys') }}
),

by_period as (
    {{ in_reporting_periods('journeys', 'start_date', ['first_conversation_type', 'last_conversation_type', 'is_open', 'as_of_date']) }}
),

cells as (
    select
        period_type,
        period,
        period_start,
        first_conversation_type,
        last_conversation_type,
        count(*) as journeys,
        count(*) filter (where is_open) as open_journeys,
        max(as_of_date) as as_of_date
    from by_period
    group by period_type, period, period_start, first_conversation_type, last_conversation_type
),

with_totals as (
    select
        *,
        sum(journeys) over (partition by period_type, period) as total_journeys
    from cells
)

select
    period_type,
    period,
    period_start,
    first_conversation_type,
    last_conversation_type,
    journeys,
    open_journeys,
    cast(total_journeys as bigint) as total_journeys,
    {{ share('journeys', 'total_journeys') }} as share,
    as_of_date
from with_totals
