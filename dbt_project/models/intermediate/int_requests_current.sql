-- Current version of each requests record as of the as-of date (see macro current_versions).
{{ config(materialized=incremental_unless_spark(), pre_hook="{{ delete_changed('request_id', 'requests') }}") }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_requests', 'request_id') }}
