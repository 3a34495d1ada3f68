-- Current version of each packages record as of the as-of date (see macro current_versions).
{{ current_versions('stg_packages', 'package_id') }}
