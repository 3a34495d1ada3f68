-- Current version of each people record as of the as-of date (see macro current_versions).
{{ current_versions('stg_people', 'person_id') }}
