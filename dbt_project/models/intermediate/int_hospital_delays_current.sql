-- Current version of each hospital_delays record as of the as-of date (see macro current_versions).
{{ config(**incremental_by('delay_id', 'hospital_delays')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_hospital_delays', 'delay_id') }}
