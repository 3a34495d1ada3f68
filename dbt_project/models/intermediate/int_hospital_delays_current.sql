-- Current version of each hospital_delays record as of the as-of date (see macro current_versions).
{{ current_versions('stg_hospital_delays', 'delay_id') }}
