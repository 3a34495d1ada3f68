{#-
    Every column of the model that declares `constraints: [{type: not_null}]` in its YAML
    holds no null: one scan of the model for all of them, one row per column that has
    nulls (column_name, null_rows). A not_null test per column costs a dbt node each (326
    of them took half of the daily build's node time at region scale, nearly all of it
    dbt's own overhead per node). The constraints are not enforced by the database (no
    model has an enforced contract): this test is what checks them.
-#}
{% test columns_not_null(model) %}
{%- set columns = [] -%}
{%- if execute -%}
    {%- set node = model_node(model) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("columns_not_null: no model in " ~ model) }}
    {%- endif -%}
    {%- for column in node.columns.values() -%}
        {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
            {%- do columns.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if columns -%}
with null_rows as (
    select
    {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as c{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}
select '{{ column }}' as column_name, c{{ loop.index }} as null_rows from null_rows where c{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif -%}
{%- endfor %}
{%- else -%}
select cast(null as {{ dbt.type_string() }}) as column_name, 0 as null_rows where 1 = 0
{%- endif %}
{% endtest %}
