{#-
    A person's weekly cost on every day (metrics.md, Package costs: the sum of the weekly
    costs of their packages active on that day), held as intervals of days over which it
    does not change, so any day's figure is one join away and no person is ever expanded
    into days.

    Boundaries are the days a line starts and the day after its last active day (a ONE_OFF
    line is active on its start_date only). Between two consecutive boundaries the same
    lines are active throughout, so each interval's figures are the plain sums over the
    lines active on its first day (sums of the lines themselves, not running totals, so
    no rounding drift). Days with no active line have no interval: their weekly cost is 0.
    ONE_OFF lines count as active packages with no weekly cost.
    Incremental by person: a daily build works out again only the people int_changed_keys
    names (package_people).
-#}
{{ config(**incremental_by('person_id', 'package_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with packages as (
    select
        person_id,
        package_id,
        start_date,
        {{ package_last_active_date() }} as last_active_date,
        weekly_cost,
        net_weekly_cost,
        is_long_term
    from {{ ref('fct_packages') }}
    where {{ is_changed('person_id', 'package_people') }}
),

boundaries as (
    select person_id, start_date as boundary from packages
    union
    select person_id, last_active_date + 1 as boundary from packages where last_active_date is not null
),

intervals as (
    select
        person_id,
        boundary as valid_from,
        cast(lead(boundary) over (partition by person_id order by boundary) - 1 as date) as valid_to
    from boundaries
)

select
    i.person_id,
    i.valid_from,
    i.valid_to,
    coalesce({{ stable_sum('p.weekly_cost', 'p.package_id') }}, 0)            as weekly_cost,
    coalesce({{ stable_sum('p.net_weekly_cost', 'p.package_id') }}, 0)        as net_weekly_cost,
    count(*)                                   as active_packages,
    count(*) filter (where p.is_long_term)     as active_long_term_packages
from intervals as i
inner join packages as p
    on p.person_id = i.person_id
    and p.start_date <= i.valid_from
    and (p.last_active_date is null or i.valid_from <= p.last_active_date)
group by i.person_id, i.valid_from, i.valid_to
