{#-
    One row per integer from start to stop, both included; usable as a select-list
    expression or as a table in FROM (`... as y(n)`), where it may read the columns of
    the tables before it. DuckDB's generate_series returns a list to unnest;
    PostgreSQL's returns the rows itself, and takes integers (extract() gives numerics).
-#}
{% macro integer_series(start, stop) -%}
    {{ return(adapter.dispatch('integer_series', 'threec')(start, stop)) }}
{%- endmacro %}

{% macro default__integer_series(start, stop) -%}
    generate_series(cast({{ start }} as integer), cast({{ stop }} as integer))
{%- endmacro %}

{% macro duckdb__integer_series(start, stop) -%}
    unnest(generate_series(
            {{ start }},
            {{ stop }}
        ))
{%- endmacro %}
