{#-
    The 8-byte floating-point type every money and share figure is held in.
    Not dbt.type_float(): that is `float`, a 4-byte REAL on DuckDB. DuckDB spells it
    `double`; the SQL standard's `double precision` is what PostgreSQL accepts (DuckDB
    would too, but its own spelling keeps the DuckDB build's SQL as it always was).
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'threec')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
