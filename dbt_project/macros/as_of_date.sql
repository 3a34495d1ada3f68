{#-
    The date every figure is true at, as a SQL DATE expression.
    var('as_of_date') (YYYY-MM-DD) when given (unit tests, dbt run by hand); else the
    THREEC_AS_OF_DATE environment variable, which threec sets for every build; else the
    latest extract date loaded into raw.conversations.
    The environment variable is read only when dbt executes, never while it parses: dbt
    re-parses every file that read a changed variable (30 models and their tests, about 6 s
    a run), and a new day would then never be a cached parse. While parsing, the fallback
    is rendered, which also records every model's dependency on raw.conversations for the
    runs that take it.
-#}
{% macro as_of_date() -%}
    {%- set unset = ('', 'None', 'none', 'null') -%}
    {%- set text = var('as_of_date', none) | string | trim -%}
    {%- if text in unset and execute -%}
        {%- set text = env_var('THREEC_AS_OF_DATE', '') | trim -%}
    {%- endif -%}
    {%- if text in unset -%}
        (select max(_extract_date) from {{ source('raw', 'conversations') }})
    {%- else -%}
        {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', text) -%}
            {{ exceptions.raise_compiler_error("as_of_date must be YYYY-MM-DD, got " ~ text) }}
        {%- endif -%}
        cast('{{ text }}' as date)
    {%- endif -%}
{%- endmacro %}
