{#-
    Daily incremental builds (docs/architecture.md, "Incremental daily builds").

    threec records, after each successful build, the as-of date it built for and the last
    raw delivery it had loaded (dq.build_state). The next day's build gets both through
    the environment and recomputes only the keys that changed since: the records delivered
    after that delivery or in an extract dated after that as-of date, and those whose
    dates the as-of date has moved past (int_changed_keys lists them). Anything else (no
    recorded build, an as-of date earlier than the last, a changed project or var, a
    failed build) makes threec run `dbt build --full-refresh`, which rebuilds every table
    from raw.
    With no window in the environment (dbt run by hand, the Spark and PostgreSQL targets)
    an incremental model replaces all its rows, so the result is always the full rebuild's.
-#}

{#- The window: {'as_of': 'YYYY-MM-DD', 'delivery': N} or none. Read only when executing,
    so a new day does not make dbt parse the models again (see as_of_date). -#}
{% macro changes_since() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set since_as_of = env_var('THREEC_CHANGES_SINCE_AS_OF', '') | trim -%}
    {%- set since_delivery = env_var('THREEC_CHANGES_SINCE_DELIVERY', '') | trim -%}
    {%- if not since_as_of or not since_delivery -%}{{ return(none) }}{%- endif -%}
    {%- if not modules.re.match('^\d{4}-\d{2}-\d{2}$', since_as_of) or not modules.re.match('^\d+$', since_delivery) -%}
        {{ exceptions.raise_compiler_error("THREEC_CHANGES_SINCE_AS_OF must be YYYY-MM-DD and THREEC_CHANGES_SINCE_DELIVERY a delivery id, got "
                                          ~ since_as_of ~ " and " ~ since_delivery) }}
    {%- endif -%}
    {{ return({'as_of': since_as_of, 'delivery': since_delivery | int}) }}
{%- endmacro %}

{#- on-run-start: a `dbt run` or `dbt build` of incremental models without the window (dbt run
    by hand, perhaps for another as-of date or with other vars) leaves tables that threec's
    record of its last build no longer describes, so threec's next build must be full.
    threec's own full rebuild passes here too: it has marked the record 'building' before,
    and marks it 'built' once dbt has finished. -#}
{% macro distrust_last_build() -%}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ('run', 'build') and changes_since() is none -%}
        {%- set incremental = [] -%}
        {%- for id in selected_resources if id in graph.nodes and graph.nodes[id].config.materialized == 'incremental' -%}
            {%- do incremental.append(id) -%}
        {%- endfor -%}
        {%- set state = adapter.get_relation(database=target.database, schema='dq', identifier='build_state') -%}
        {%- if incremental and state is not none -%}
            update {{ state }} set status = 'built outside threec', updated_at = now() where status = 'built'
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Incremental where the adapter can delete rows; Spark's Parquet tables cannot, so there
    every model stays a table rebuilt in full. -#}
{% macro incremental_unless_spark() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- True while a date column passed from the last build's as-of date to this one's. -#}
{% macro crossed_since(column, since) -%}
    ({{ column }} > cast('{{ since.as_of }}' as date) and {{ column }} <= {{ as_of_date() }})
{%- endmacro %}

{#- True for a version that arrived after the last build: a later delivery, or an extract
    dated after its as-of date. -#}
{% macro is_new_version(since) -%}
    (delivery_id > {{ since.delivery }} or extract_date > cast('{{ since.as_of }}' as date))
{%- endmacro %}

{#- The versions of a staged entity that arrived after the last build. -#}
{% macro new_versions(staged_model, since) -%}
    select *
    from {{ ref(staged_model) }}
    where extract_date <= {{ as_of_date() }}
      and {{ is_new_version(since) }}
{%- endmacro %}

{#- The keys of one kind that int_changed_keys lists. -#}
{% macro changed_keys(key_type) -%}
    select key_id from {{ ref('int_changed_keys') }} where key_type = '{{ key_type }}'
{%- endmacro %}

{#- Filter for an incremental model's body: only the changed keys, or every row when the
    whole table is being rebuilt. -#}
{% macro is_changed(key_column, key_type) -%}
    {#- the window first: unit tests run with none, and have no `this` for is_incremental() -#}
    {%- if changes_since() is not none and is_incremental() -%}
        {{ key_column }} in ({{ changed_keys(key_type) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- pre_hook of an incremental model: remove the rows its body will write again (all of
    them when there is no window). -#}
{% macro delete_changed(key_column, key_type) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ is_changed(key_column, key_type) }}
    {%- endif -%}
{%- endmacro %}

{#- A table of the last build, as it left it (int_changed_keys reads the previous current
    versions before they are replaced). -#}
{% macro last_build_table(name) -%}
    {%- set relation = adapter.get_relation(database=this.database, schema=this.schema, identifier=name) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error("an incremental build needs the last build's table " ~ this.schema ~ "." ~ name
                                           ~ ", which is missing: run `threec run --full-refresh`") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- The config of an incremental model kept by `key_column` under `key_type` of
    int_changed_keys: `{{ config(**incremental_by('person_id', 'conversation_people')) }}`.
    meta.changed_key tells the data tests which rows this build wrote (get_where_subquery). -#}
{% macro incremental_by(key_column, key_type) -%}
    {{ return({
        'materialized': incremental_unless_spark(),
        'pre_hook': "{{ delete_changed('" ~ key_column ~ "', '" ~ key_type ~ "') }}",
        'meta': {'changed_key': [key_column, key_type]},
    }) }}
{%- endmacro %}

{#- The rows of `relation` this incremental build wrote, as a SQL condition, or none when
    it wrote them all: a model with meta.changed_key [column, key type] wrote the rows of
    those keys; a staging model with meta.changed_versions holds new rows only among the
    versions that arrived since the last build. -#}
{% macro rows_written_since(relation) -%}
    {%- set since = changes_since() -%}
    {%- if since is none or relation is string -%}{{ return(none) }}{%- endif -%}
    {%- set node = model_node(relation) -%}
    {%- if node is none -%}{{ return(none) }}{%- endif -%}
    {%- set meta = node.config.meta or {} -%}
    {%- if meta.get('changed_key') -%}
        {%- set keys = graph.nodes['model.' ~ project_name ~ '.int_changed_keys'] -%}
        {{ return(meta['changed_key'][0] ~ " in (select key_id from " ~ keys.relation_name ~ " where key_type = '"
                  ~ meta['changed_key'][1] ~ "')") }}
    {%- elif meta.get('changed_versions') -%}
        {{ return(is_new_version(since)) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
