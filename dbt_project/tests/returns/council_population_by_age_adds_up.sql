-- The population by age band (ASCOF 2B/2C denominators) adds up to the adult population of
-- the same year (per-100,000 figures elsewhere), so the two seeds cannot drift apart.
-- Rows returned are failures.
{{ config(tags=['returns']) }}
select a.year, a.adult_population, sum(b.population) as by_age
from {{ ref('council_population') }} as a
join {{ ref('council_population_by_age') }} as b
    on b.year = a.year
group by a.year, a.adult_population
having sum(b.population) != a.adult_population
