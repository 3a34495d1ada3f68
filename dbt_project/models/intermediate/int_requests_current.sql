-- Current version of each requests record as of the as-of date (see macro current_versions).
{{ current_versions('stg_requests', 'request_id') }}
