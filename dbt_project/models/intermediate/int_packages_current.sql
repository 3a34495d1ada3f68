-- Current version of each packages record as of the as-of date (see macro current_versions).
{{ config(**incremental_by('package_id', 'packages')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_packages', 'package_id') }}
