{#-
    A date as text in a fixed pattern: 'YYYY-MM' (month labels) or 'YYYY-MM-DD'.
    DuckDB formats with strftime, PostgreSQL with to_char, whose output does not
    depend on the session's DateStyle the way a plain cast to text does.
-#}
{% macro date_to_text(date_expr, pattern) -%}
    {%- if pattern not in ('YYYY-MM', 'YYYY-MM-DD') -%}
        {{ exceptions.raise_compiler_error("date_to_text: pattern must be 'YYYY-MM' or 'YYYY-MM-DD', got " ~ pattern) }}
    {%- endif -%}
    {{ return(adapter.dispatch('date_to_text', 'threec')(date_expr, pattern)) }}
{%- endmacro %}

{% macro default__date_to_text(date_expr, pattern) -%}
    to_char({{ date_expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__date_to_text(date_expr, pattern) -%}
    strftime({{ date_expr }}, '{{ pattern | replace('YYYY', '%Y') | replace('MM', '%m') | replace('DD', '%d') }}')
{%- endmacro %}

{% macro spark__date_to_text(date_expr, pattern) -%}
    date_format({{ date_expr }}, '{{ pattern | replace('YYYY', 'yyyy') | replace('DD', 'dd') }}')
{%- endmacro %}
