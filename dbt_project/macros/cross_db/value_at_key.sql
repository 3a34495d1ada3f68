{#-
    Aggregate: the value on the row with the least (value_at_min_key) or greatest
    (value_at_max_key) key of the group, null values included (a null on that row gives
    null, never another row's value); rows with a null key are ignored. The key must
    be unique within the group, or which of the tied rows wins is not defined.
    DuckDB has arg_min_null / arg_max_null; PostgreSQL has no arg_min, so the first
    element of an array aggregated in key order.
-#}
{% macro value_at_min_key(value, key) -%}
    {{ return(adapter.dispatch('value_at_min_key', 'threec')(value, key)) }}
{%- endmacro %}

{% macro default__value_at_min_key(value, key) -%}
    (array_agg({{ value }} order by {{ key }} asc) filter (where {{ key }} is not null))[1]
{%- endmacro %}

{% macro duckdb__value_at_min_key(value, key) -%}
    arg_min_null({{ value }}, {{ key }})
{%- endmacro %}

{% macro value_at_max_key(value, key) -%}
    {{ return(adapter.dispatch('value_at_max_key', 'threec')(value, key)) }}
{%- endmacro %}

{% macro default__value_at_max_key(value, key) -%}
    (array_agg({{ value }} order by {{ key }} desc) filter (where {{ key }} is not null))[1]
{%- endmacro %}

{% macro duckdb__value_at_max_key(value, key) -%}
    arg_max_null({{ value }}, {{ key }})
{%- endmacro %}

{% macro spark__value_at_min_key(value, key) -%}
    min_by({{ value }}, {{ key }})
{%- endmacro %}

{% macro spark__value_at_max_key(value, key) -%}
    max_by({{ value }}, {{ key }})
{%- endmacro %}
