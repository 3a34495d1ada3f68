{#-
    What an incremental build must recompute (macros/incremental.sql): one row per key.

    - key_type = an entity's name (conversations, requests, packages, people,
      hospital_delays): the ids of that entity with a version delivered since the last
      build. Their current version is chosen again.
    - conversation_people: the people whose conversation history changed, so whose order,
      next conversations and journeys are worked out again: the person on a new version
      of a conversation and the person on its version before (a conversation can move to
      another person), and everyone with a conversation that started or ended after the
      last build's as-of date and on or before this one's (it joins the history, or its
      end becomes known, on the new as-of date).
    - request_outcomes: the requests whose outcome (first conversation, new client, led
      to long-term support) is worked out again: new versions of requests, requests made
      since the last as-of date, the requests named by a changed conversation (either
      version) or by one that started since, and every request of a person with a changed
      package (either version's person) or a package that started since.
    - package_costs: the package lines costed again: new versions, lines that started
      since, and lines agreed in a changed conversation (its team).
    - package_people: the people whose weekly cost over time is worked out again: either
      version's person of a changed package, and the person of a package that started
      since.
    - journey_cost_people: the people whose journeys' costs before and after are worked
      out again: conversation_people, package_people, the people with a journey whose
      settle day (last end + var('savings_settle_days')) the as-of date has moved past, and
      those with a journey begun by a team with a new version (its go-live date).
    - worklist_people: the people whose worklist findings are looked for again:
      conversation_people, package_people, and the person of a package agreed in a
      changed conversation (the finding carries that conversation's team and worker).

    Built before every model it names and read from the current-version tables as the
    last build left them, so it must not ref() them. Empty when the build has no window
    (a full rebuild).
-#}
-- depends_on: {{ ref('stg_conversations') }}, {{ ref('stg_requests') }}, {{ ref('stg_packages') }}
-- depends_on: {{ ref('stg_people') }}, {{ ref('stg_hospital_delays') }}, {{ ref('stg_teams') }}
{%- set since = changes_since() %}
{%- if since is none %}
select
    cast(null as {{ dbt.type_string() }}) as key_type,
    cast(null as {{ dbt.type_string() }}) as key_id
where false
{%- else %}
with new_conversations as (
    {{ new_versions('stg_conversations', since) }}
),

new_requests as (
    {{ new_versions('stg_requests', since) }}
),

new_packages as (
    {{ new_versions('stg_packages', since) }}
),

old_conversations as (
    select * from {{ last_build_table('int_conversations_current') }}
),

old_requests as (
    select * from {{ last_build_table('int_requests_current') }}
),

old_packages as (
    select * from {{ last_build_table('int_packages_current') }}
),

old_journeys as (
    select * from {{ last_build_table('int_journeys') }}
),

changed_conversations as (
    -- both versions of each changed conversation, and those the as-of date moved past
    select conversation_id, person_id, request_id
    from new_conversations
    union all
    select conversation_id, person_id, request_id
    from old_conversations
    where conversation_id in (select conversation_id from new_conversations)
        or {{ crossed_since('start_date', since) }}
        or {{ crossed_since('end_date', since) }}
),

changed_package_people as (
    select person_id
    from new_packages
    union all
    select person_id
    from old_packages
    where package_id in (select package_id from new_packages)
        or {{ crossed_since('start_date', since) }}
),

changes as (
    {%- for entity, key in [('conversations', 'conversation_id'), ('requests', 'request_id'),
                            ('packages', 'package_id'), ('people', 'person_id'),
                            ('hospital_delays', 'delay_id')] %}
    {%- if entity in ('conversations', 'requests', 'packages') %}
    select '{{ entity }}' as key_type, {{ key }} as key_id
    from new_{{ entity }}
    {%- else %}
    select '{{ entity }}' as key_type, {{ key }} as key_id
    from (
        {{ new_versions('stg_' ~ entity, since) }}
    ) as {{ entity }}
    {%- endif %}
    union all
    {%- endfor %}
    select 'conversation_people', person_id
    from changed_conversations
    union all
    select 'request_outcomes', request_id
    from new_requests
    union all
    select 'request_outcomes', request_id
    from old_requests
    where {{ crossed_since('request_date', since) }}
        or person_id in (select person_id from changed_package_people)
    union all
    select 'request_outcomes', request_id
    from changed_conversations
    where request_id is not null
    union all
    select 'package_costs', package_id
    from new_packages
    union all
    select 'package_costs', package_id
    from old_packages
    where {{ crossed_since('start_date', since) }}
        or conversation_id in (select conversation_id from changed_conversations)
    union all
    select 'package_people', person_id
    from changed_package_people
    union all
    select 'worklist_people', person_id
    from changed_conversations
    union all
    select 'worklist_people', person_id
    from changed_package_people
    union all
    select 'worklist_people', person_id
    from old_packages
    where conversation_id in (select conversation_id from changed_conversations)
    union all
    select 'journey_cost_people', person_id
    from changed_conversations
    union all
    select 'journey_cost_people', person_id
    from changed_package_people
    union all
    select 'journey_cost_people', person_id
    from old_journeys
    where (not is_open and {{ crossed_since('cast(last_end_date + ' ~ (var('savings_settle_days') | int) ~ ' as date)', since) }})
        or first_team_id in (select team_id from ({{ new_versions('stg_teams', since) }}) as teams)
)

select distinct key_type, key_id
from changes
{%- endif %}
