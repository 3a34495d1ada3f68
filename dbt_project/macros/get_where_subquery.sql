{#-
    What a data test reads: dbt's own rule (the test's `where` config), and in an
    incremental build only the rows the build wrote (rows_written_since). The rows it did
    not write are the ones an earlier build wrote and tested; a test that must see a whole
    table is a singular test (tests/*.sql), which reads its models directly. A full
    rebuild tests every row.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set written = rows_written_since(relation) -%}
    {%- if written -%}{%- do conditions.append(written) -%}{%- endif -%}
    {%- if conditions -%}
        {#- `1 = 1 and` first: Spark reads `where (x)` after a table name as an alias `where`
            with a column list -#}
        {%- set filtered -%}
            (select * from {{ relation }} where 1 = 1 and {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
