{#-
    Each current delayed transfer of care as known on the as-of date (metrics.md,
    Delayed transfers of care), with its delayed days as one closed interval.

    A delay is delayed on day d when ready_date <= d < discharge_date, and while it is
    still delayed, on every day up to and including the as-of date. So:
    - a delay whose ready_date is after the as-of date did not exist yet: left out;
    - a discharge_date after the as-of date had not happened on it (as for a
      conversation's end): discharge_date is null here, is_discharged false, and the
      recorded value is kept in recorded_discharge_date;
    - the delayed days are [ready_date, last_delayed_date] with last_delayed_date =
      discharge_date - 1 when discharged, else the as-of date. A discharge on the ready
      day gives last_delayed_date = ready_date - 1: an empty interval, 0 delayed days.
    Deleted and superseded versions are already gone (int_hospital_delays_current).
-#}
with as_of as (
    select {{ as_of_date() }} as as_of_date
),

ready as (
    select d.*, a.as_of_date
    from {{ ref('int_hospital_delays_current') }} as d
    cross join as_of as a
    where d.ready_date <= a.as_of_date
),

known as (
    select
        *,
        case when discharge_date <= as_of_date then discharge_date end as discharge_date_as_of
    from ready
),

bounded as (
    select
        *,
        coalesce(discharge_date_as_of - 1, as_of_date) as last_delayed_date
    from known
)

select
    delay_id,
    person_id,
    nhs_pseudonym,
    provider_code,
    provider_name,
    bed_type,
    reason_code,
    responsible_org,
    ready_date,
    discharge_date_as_of                        as discharge_date,
    discharge_date_as_of is not null            as is_discharged,
    discharge_date                              as recorded_discharge_date,
    last_delayed_date,
    -- Contract: discharge_date >= ready_date, so this is never below 0; greatest() keeps it so.
    greatest({{ days_between('ready_date', 'last_delayed_date') }} + 1, 0) as delayed_days,
    as_of_date
from bounded
