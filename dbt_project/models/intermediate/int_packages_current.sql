-- Current version of each packages record as of the as-of date (see macro current_versions).
{{ config(materialized=incremental_unless_spark(), pre_hook="{{ delete_changed('package_id', 'packages') }}") }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_packages', 'package_id') }}
