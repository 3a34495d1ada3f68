-- Current version of each people record as of the as-of date (see macro current_versions).
{{ config(materialized=incremental_unless_spark(), pre_hook="{{ delete_changed('person_id', 'people') }}") }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_people', 'person_id') }}
