-- Current version of each requests record as of the as-of date (see macro current_versions).
{{ config(**incremental_by('request_id', 'requests')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_requests', 'request_id') }}
