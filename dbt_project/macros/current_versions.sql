{#-
    The current version of each record of a staged entity, as known on the as-of date.

    Export contract, "Deltas": the version with the greatest last_modified wins, whatever
    extract it came in; ties go to the later extract_date. Remaining ties (the same
    extract delivered twice, or a record repeated within a file) go to the later
    delivery, then the later row, so the choice is deterministic. Only versions from
    extracts dated on or before the as-of date count, so a back-dated run sees what was
    known then. A record whose winning version is deleted leaves every current fact;
    an older deleted version that was superseded does not matter.
    Only the ids delivered more than once are ranked: most records have one version, and
    ranking every row sorts the whole entity with all its columns.
    `staged_model` is the stg_ model's name, not a ref(): star_except reads its columns.
    In an incremental build only the ids delivered since the last build are ranked
    (is_changed; key type = the entity's name, as int_changed_keys lists it).
-#}
{% macro current_versions(staged_model, id_column) -%}
with versions as (
    select *
    from {{ ref(staged_model) }}
    where extract_date <= {{ as_of_date() }}
      and {{ is_changed(id_column, staged_model[4:]) }}
),

repeated as (
    select {{ id_column }}
    from versions
    group by {{ id_column }}
    having count(*) > 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ id_column }}
            order by last_modified desc, extract_date desc, delivery_id desc, row_number desc
        ) as version_rank
    from versions
    where {{ id_column }} in (select {{ id_column }} from repeated)
),

winners as (
    select {{ star_except(staged_model, ['version_rank']) }}
    from ranked
    where version_rank = 1
    union all
    select *
    from versions
    where {{ id_column }} not in (select {{ id_column }} from repeated)
)

select {{ star_except(staged_model, ['is_deleted']) }}
from winners
where not is_deleted
{%- endmacro %}
