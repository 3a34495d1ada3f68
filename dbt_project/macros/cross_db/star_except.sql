{#-
    The select list "every column of the model named `model_name`, except those in
    `except`", for a query over that model's rows (columns the query adds, such as a
    rank, are left out too when listed in `except`).
    DuckDB writes it `* exclude (...)`. PostgreSQL has no such syntax, so the columns
    are listed, read from the built model in the database. Inside a dbt unit test ref()
    is the fixture, a CTE the catalog cannot describe, and the graph is not available:
    the built model (unit tests run after their parents) is then found by name.
-#}
{% macro star_except(model_name, except) -%}
    {{ return(adapter.dispatch('star_except', 'threec')(model_name, except)) }}
{%- endmacro %}

{% macro default__star_except(model_name, except) -%}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set relation = ref(model_name) -%}
    {%- if relation.is_cte -%}
        {%- set found = run_query(
            "select table_schema from information_schema.tables where table_catalog = current_database() "
            ~ "and table_name = '" ~ model_name ~ "'") -%}
        {%- if found.rows | length != 1 -%}
            {{ exceptions.raise_compiler_error("star_except: expected one built relation named " ~ model_name
                ~ ", found " ~ (found.rows | length) ~ "; build it first") }}
        {%- endif -%}
        {%- set relation = api.Relation.create(database=target.database, schema=found.rows[0][0],
                                               identifier=model_name) -%}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("star_except: " ~ relation ~ " has no columns; is it built?") }}
    {%- endif -%}
    {%- set excluded = except | map('lower') | list -%}
    {%- set ns = namespace(names=[]) -%}
    {%- for column in columns if column.name | lower not in excluded -%}
        {%- set ns.names = ns.names + [adapter.quote(column.name)] -%}
    {%- endfor -%}
    {{ return(ns.names | join(', ')) }}
{%- endmacro %}

{% macro duckdb__star_except(model_name, except) -%}
    * exclude ({{ except | join(', ') }})
{%- endmacro %}
