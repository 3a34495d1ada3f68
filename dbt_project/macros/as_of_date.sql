{#-
    The date every figure is true at, as a SQL DATE expression.
    var('as_of_date') (YYYY-MM-DD) when given, e.g. the Airflow run's logical date;
    otherwise the latest extract date loaded into raw.conversations.
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'none', 'null') -%}
        (select max(_extract_date) from {{ source('raw', 'conversations') }})
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', text) -%}
            {{ exceptions.raise_compiler_error("var as_of_date must be YYYY-MM-DD, got " ~ text) }}
        {%- endif -%}
        cast('{{ text }}' as date)
    {%- endif -%}
{%- endmacro %}
