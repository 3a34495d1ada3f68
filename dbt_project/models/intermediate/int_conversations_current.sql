-- Current version of each conversations record as of the as-of date (see macro current_versions).
{{ current_versions('stg_conversations', 'conversation_id') }}
