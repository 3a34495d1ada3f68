{#-
    Models land in schemas named exactly as configured (staging, intermediate, marts,
    seeds), not dbt's default "<target schema>_<custom>": the schema names are part of
    the interface that BI tools, the publisher and the checks read.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
