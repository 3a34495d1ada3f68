-- Current version of each conversations record as of the as-of date (see macro current_versions).
{{ config(materialized=incremental_unless_spark(), pre_hook="{{ delete_changed('conversation_id', 'conversations') }}") }}
-- depends_on: {{ ref('int_changed_keys') }}
{{ current_versions('stg_conversations', 'conversation_id') }}
