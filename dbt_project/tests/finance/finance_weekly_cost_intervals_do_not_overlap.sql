{#- A person's weekly-cost intervals never overlap, and each ends on or after it starts. -#}
select person_id, valid_from, valid_to
from (
    select
        *,
        lead(valid_from) over (partition by person_id order by valid_from) as next_valid_from
    from {{ ref('int_person_weekly_cost') }}
) as i
where (valid_to is not null and valid_to < valid_from)
   or (next_valid_from is not null and (valid_to is null or next_valid_from <= valid_to))
