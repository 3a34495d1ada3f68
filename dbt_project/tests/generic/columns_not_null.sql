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
    {#- `model` is the model's relation, or a subquery over it (a `where`, or an incremental
        build's rows: macros/get_where_subquery.sql), so the node is the model named first in it -#}
    {%- set found = namespace(node=none, at=-1) -%}
    {%- for candidate in graph.nodes.values() if candidate.resource_type == 'model' and candidate.relation_name -%}
        {%- set at = (model | string).find(candidate.relation_name) -%}
        {%- if at >= 0 and (found.node is none or at < found.at) -%}
            {%- set found.node = candidate -%}
            {%- set found.at = at -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set node = found.node -%}
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
