-- Current version of each teams record as of the as-of date (see macro current_versions).
{{ current_versions('stg_teams', 'team_id') }}
