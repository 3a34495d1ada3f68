{#-
    The outcomes table of metrics.md: per conversation type, team and period (calendar
    month and financial year) of start_date. Every share sits beside its numerator and
    denominator so councils can re-add and re-divide:
    - <bucket>_share = <bucket>_count / conversations;
    - closed_positive_within_{7,30}_days_share = those closed_positive with
      end_date - start_date <= 7 (30) days / closed_positive_count;
    - open_short_share = those open with as_of_date - start_date < open_short_days
      ("open fewer than 60 days at the as-of date") / open_count.
    Column names stay the same whatever var('open_short_days') is; the threshold used
    is in column open_short_days.
-#}
{%- set buckets = ['escalated_to_c2', 'escalated_to_c3', 'continued', 'closed_positive', 'closed_other', 'open'] -%}
{%- set open_days = var('open_short_days') | int -%}
with conversations as (
    select * from {{ ref('fct_conversations') }}
),

by_period as (
    {{ in_reporting_periods('conversations', 'start_date', ['conversation_type', 'team_id', 'outcome_bucket', 'duration_days', 'days_open_at_as_of', 'as_of_date']) }}
),

counted as (
    select
        period_type,
        period,
        period_start,
        conversation_type,
        team_id,
        count(*) as conversations,
        {%- for b in buckets %}
        count(*) filter (where outcome_bucket = '{{ b }}') as {{ b }}_count,
        {%- endfor %}
        count(*) filter (where outcome_bucket = 'closed_positive' and duration_days <= 7)  as closed_positive_within_7_days_count,
        count(*) filter (where outcome_bucket = 'closed_positive' and duration_days <= 30) as closed_positive_within_30_days_count,
        count(*) filter (where outcome_bucket = 'open' and days_open_at_as_of < {{ open_days }}) as open_short_count,
        max(as_of_date) as as_of_date
    from by_period
    group by period_type, period, period_start, conversation_type, team_id
)

select
    period_type,
    period,
    period_start,
    conversation_type,
    team_id,
    conversations,
    {%- for b in buckets %}
    {{ b }}_count,
    {{ share(b ~ '_count', 'conversations') }} as {{ b }}_share,
    {%- endfor %}
    closed_positive_within_7_days_count,
    {{ share('closed_positive_within_7_days_count', 'closed_positive_count') }} as closed_positive_within_7_days_share,
    closed_positive_within_30_days_count,
    {{ share('closed_positive_within_30_days_count', 'closed_positive_count') }} as closed_positive_within_30_days_share,
    {{ open_days }} as open_short_days,
    open_short_count,
    {{ share('open_short_count', 'open_count') }} as open_short_share,
    as_of_date
from counted
