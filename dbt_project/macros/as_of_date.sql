{#-
    The date every figure is true at, as a SQL DATE expression.
    var('as_of_date') (YYYY-MM-DD) when given (unit tests, dbt run by hand); else the
    THREEC_AS_OF_DATE environment variable, which threec sets for every build (an env var,
    not --vars, so that the vars stay the same from day to day and dbt can parse partially);
    else the latest extract date loaded into raw.conversations.
-#}
{% macro as_of_date() -%}
    {%- set unset = ('', 'None', 'none', 'null') -%}
    {%- set text = var('as_of_date', none) | string | trim -%}
    {%- if text in unset -%}
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
