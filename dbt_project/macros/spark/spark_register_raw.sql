{#-
    On the spark target, at the start of every dbt invocation: register the raw Parquet
    files that `python -m threec.spark_load` exported (one per entity of the contract,
    the dbt sources) as external tables raw.<entity>, replacing yesterday's registration
    so Spark never serves a cached listing of an older export. Dropping an external table
    leaves its file alone. Elsewhere it does nothing.
-#}
{% macro spark_register_raw() -%}
    {%- if target.type == 'spark' and execute -%}
        {%- set folder = env_var('THREEC_SPARK_DIR') ~ '/raw' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source_node.name) -%}
            {%- do run_query("create table raw." ~ source_node.name ~ " using parquet location '"
                              ~ folder ~ "/" ~ source_node.name ~ ".parquet'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
