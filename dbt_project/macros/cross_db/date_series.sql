{#-
    One row per step of one `unit` ('day' or 'month') from start to stop, both included,
    as a select-list expression giving dates (not to be wrapped in another expression:
    Spark refuses a generator inside one). DuckDB's generate_series returns a list of
    timestamps to unnest and writes the step as `interval 1 month`; PostgreSQL's returns
    rows, needs `interval '1 month'` and has no date version (with dates it would pick
    timestamptz, so the inputs are cast); Spark explodes a sequence of dates.
-#}
{% macro date_series(start, stop, unit) -%}
    {%- if unit not in ('day', 'month') -%}
        {{ exceptions.raise_compiler_error("date_series: unit must be 'day' or 'month', got " ~ unit) }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_series', 'threec')(start, stop, unit)) }}
{%- endmacro %}

{% macro default__date_series(start, stop, unit) -%}
    cast(generate_series(cast({{ start }} as timestamp), cast({{ stop }} as timestamp), interval '1 {{ unit }}') as date)
{%- endmacro %}

{% macro duckdb__date_series(start, stop, unit) -%}
    cast(unnest(generate_series({{ start }}, {{ stop }}, interval 1 {{ unit }})) as date)
{%- endmacro %}

{% macro spark__date_series(start, stop, unit) -%}
    explode(sequence(cast({{ start }} as date), cast({{ stop }} as date), interval 1 {{ unit }}))
{%- endmacro %}
