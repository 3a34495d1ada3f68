{#-
    Whole days from one date to a later one (negative when earlier). DuckDB and PostgreSQL
    subtract dates to an integer; Spark's date subtraction gives an interval, and its
    datediff counts days.
-#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'threec')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    ({{ end_date }} - {{ start_date }})
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
