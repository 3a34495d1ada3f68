{#-
    sum / avg of a DOUBLE column added up in a fixed order, so a rebuild gives the same
    last digit whatever order the rows arrive in (floating-point addition is not
    associative). DuckDB and PostgreSQL take an ORDER BY inside the aggregate; Spark has no
    ordered aggregates, so there the sum is plain and may differ in the last bits from run
    to run (docs/spark.md).
-#}
{% macro ordered_sum(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_sum', 'threec')(expr, order_by)) }}
{%- endmacro %}

{% macro default__ordered_sum(expr, order_by) -%}
    sum({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_sum(expr, order_by) -%}
    sum({{ expr }})
{%- endmacro %}

{% macro ordered_avg(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_avg', 'threec')(expr, order_by)) }}
{%- endmacro %}

{% macro default__ordered_avg(expr, order_by) -%}
    avg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_avg(expr, order_by) -%}
    avg({{ expr }})
{%- endmacro %}
