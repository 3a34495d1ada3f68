-- Current version of each conversations record as of the as-of date (see macro current_versions).
{{ config(**incremental_by('conversation_id', 'conversations')) }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_conversations', 'conversation_id') }}
