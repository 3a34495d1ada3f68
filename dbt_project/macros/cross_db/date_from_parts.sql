{#-
    A date from year, month and day expressions (not only literals, unlike dbt.date).
    PostgreSQL's make_date takes integers only, and there a year worked out with
    extract() is numeric; DuckDB's make_date wants a bigint year.
-#}
{% macro date_from_parts(year, month, day) -%}
    {{ return(adapter.dispatch('date_from_parts', 'threec')(year, month, day)) }}
{%- endmacro %}

{% macro default__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as integer), cast({{ month }} as integer), cast({{ day }} as integer))
{%- endmacro %}

{% macro duckdb__date_from_parts(year, month, day) -%}
    make_date(cast({{ year }} as bigint), {{ month }}, {{ day }})
{%- endmacro %}
