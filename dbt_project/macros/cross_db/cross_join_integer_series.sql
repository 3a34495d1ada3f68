{#-
    A FROM-clause item joining every row before it to each integer from start to stop,
    both included, as <alias>.<column>; start and stop may read the columns of the tables
    before it. Written after the preceding table with no comma: the macro brings its own
    join. DuckDB's generate_series returns a list to unnest; PostgreSQL's returns the rows
    itself and takes integers (extract() gives numerics); Spark has no table functions
    that see earlier columns, so a LATERAL VIEW explodes a sequence.
-#}
{% macro cross_join_integer_series(start, stop, alias, column) -%}
    {{ return(adapter.dispatch('cross_join_integer_series', 'threec')(start, stop, alias, column)) }}
{%- endmacro %}

{% macro default__cross_join_integer_series(start, stop, alias, column) -%}
    , generate_series(cast({{ start }} as integer), cast({{ stop }} as integer)) as {{ alias }}({{ column }})
{%- endmacro %}

{% macro duckdb__cross_join_integer_series(start, stop, alias, column) -%}
    , unnest(generate_series(
            {{ start }},
            {{ stop }}
        )) as {{ alias }}({{ column }})
{%- endmacro %}

{% macro spark__cross_join_integer_series(start, stop, alias, column) -%}
    lateral view explode(sequence(cast({{ start }} as int), cast({{ stop }} as int))) {{ alias }} as {{ column }}
{%- endmacro %}
