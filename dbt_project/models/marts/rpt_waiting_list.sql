{#-
    The waiting list on every date, per team of the request (metrics.md, Requests and
    waiting). A request is waiting on each day d with request_date <= d <
    first_conversation_date, or up to and including the as-of date when it has no
    conversation yet. Dates run from each team's first request to the as-of date,
    zeros included, so the list on any date can be drawn.

    Built set-wise in O(n log n), never by expanding every request into its days
    (a request with no conversation would otherwise add a row for every day since
    it was made):
    - requests_waiting: running sum of +1 on request_date and -1 on the day the wait
      stops.
    - longest_wait_days: d minus the request_date of the oldest request waiting on d.
      A request is never the oldest while an earlier request waits at least as long;
      the others form a staircase whose starts and stops both rise, so each one is
      the oldest on its own stretch of days [greatest(its request_date, previous
      stop), its stop). Marking each stretch's first day and carrying the mark
      forward gives the oldest waiting request on every day that has one.
-#}
with requests as (
    select
        request_id,
        team_id,
        request_date as wait_start,
        -- First day no longer waiting.
        coalesce(first_conversation_date, as_of_date + 1) as wait_stop,
        as_of_date
    from {{ ref('fct_requests') }}
),

waits as (
    select * from requests where wait_stop > wait_start
),

spine as (
    select
        team_id,
        {{ date_series('min(wait_start)', 'max(as_of_date)', 'day') }} as waiting_date,
        max(as_of_date) as as_of_date
    from requests
    group by team_id
),

changes as (
    select team_id, waiting_date, sum(change) as change
    from (
        select team_id, wait_start as waiting_date, 1 as change from waits
        union all
        select team_id, wait_stop as waiting_date, -1 as change from waits
    ) as events
    group by team_id, waiting_date
),

staircase as (
    select
        team_id,
        wait_start,
        wait_stop,
        max(wait_stop) over (
            partition by team_id
            order by wait_start, wait_stop desc, request_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_max_stop
    from waits
),

oldest_marks as (
    select
        team_id,
        greatest(wait_start, coalesce(earlier_max_stop, wait_start)) as waiting_date,
        wait_start as oldest_request_date
    from staircase
    where earlier_max_stop is null or wait_stop > earlier_max_stop
),

daily as (
    select
        s.team_id,
        s.waiting_date,
        sum(coalesce(c.change, 0)) over w as requests_waiting,
        -- The last mark so far. Marks rise in both date and oldest_request_date, so it is
        -- also the greatest so far: max() needs no IGNORE NULLS, which PostgreSQL lacks.
        max(m.oldest_request_date) over w as oldest_request_date,
        s.as_of_date
    from spine as s
    left join changes as c
        on c.team_id = s.team_id and c.waiting_date = s.waiting_date
    left join oldest_marks as m
        on m.team_id = s.team_id and m.waiting_date = s.waiting_date
    window w as (partition by s.team_id order by s.waiting_date rows between unbounded preceding and current row)
)

select
    waiting_date as date,
    team_id,
    cast(requests_waiting as bigint) as requests_waiting,
    case when requests_waiting > 0 then {{ days_between('oldest_request_date', 'waiting_date') }} end as longest_wait_days,
    as_of_date
from daily
