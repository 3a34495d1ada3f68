{#-
    sum / avg of a DOUBLE column whose last digit does not depend on the order the rows
    arrive in (floating-point addition is not associative, and a parallel engine adds in
    any order), so a rebuild gives the same figures, the same packages always give the same
    weekly cost, and a journey whose cost did not change is never counted as up or down by
    a last-bit difference (found at region scale: 2 of 21,432 journeys with a plain sum).

    - DuckDB and Spark add each value as a DECIMAL(38, 18): decimal addition is exact, so
      any order gives the same sum, and it needs no sort. (DuckDB's ordered aggregate,
      `sum(x order by id)`, sorted the values of every group: 60% of the CPU of
      int_person_weekly_cost, and two and a half times its decimal form.) Eighteen places
      keep a value of up to 10^20. The cast rounds a value's last binary digit now and
      then (per person at region scale: 16% of sums differ from the ordered double sum,
      by at most 3.3e-16 of the value).
    - PostgreSQL takes an ORDER BY inside the aggregate (the portable fixed order).

    The engines agree to about 1e-12 of the value or better (docs/spark.md, docs/postgres.md). The
    result is a whole expression: to add up some rows only, pass the condition as `where`
    (a FILTER clause written after the macro would land outside the cast).
-#}
{% macro stable_sum(expr, order_by, where=none) -%}
    {{ return(adapter.dispatch('stable_sum', 'threec')(expr, order_by, where)) }}
{%- endmacro %}

{% macro default__stable_sum(expr, order_by, where=none) -%}
    sum({{ expr }} order by {{ order_by }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{% macro decimal_stable_sum(expr, where=none) -%}
    cast(sum(cast({{ expr }} as decimal(38, 18))){% if where %} filter (where {{ where }}){% endif %} as double)
{%- endmacro %}

{% macro duckdb__stable_sum(expr, order_by, where=none) -%}
    {{ threec.decimal_stable_sum(expr, where) }}
{%- endmacro %}

{% macro spark__stable_sum(expr, order_by, where=none) -%}
    {{ threec.decimal_stable_sum(expr, where) }}
{%- endmacro %}

{% macro stable_avg(expr, order_by) -%}
    {{ return(adapter.dispatch('stable_avg', 'threec')(expr, order_by)) }}
{%- endmacro %}

{% macro default__stable_avg(expr, order_by) -%}
    avg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__stable_avg(expr, order_by) -%}
    cast(avg(cast({{ expr }} as decimal(38, 18))) as double)
{%- endmacro %}

{% macro spark__stable_avg(expr, order_by) -%}
    {{ threec.duckdb__stable_avg(expr, order_by) }}
{%- endmacro %}
