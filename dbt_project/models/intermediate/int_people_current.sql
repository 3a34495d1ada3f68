-- Current version of each people record as of the as-of date (see macro current_versions).
{{ config(**incremental_by('person_id', 'people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_people', 'person_id') }}
