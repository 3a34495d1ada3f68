{#-
    The findings of the team managers' worklist (escalation_worklist): one row per finding (metrics.md, "Unexplained C1->C3
    escalation" and "Practice rules also checked"). No free text: reasons are codes and
    the note is only ever a flag.

    Escalation findings (one row per flag that holds on a direct escalation):
      unexplained, unchallenged, premature -> conversation_id is the C1/C1A that was
      escalated, next_conversation_id the C3, team and worker those of the C1/C1A.
    Practice findings:
      c3_during_open_c2        a C3 that starts while the person's C2 is still open
                               (the C2 started on or before it and had not ended before
                               the C3's start day); conversation_id = the C3,
                               related_conversation_id = the open C2.
      lts_without_recent_c3    a long-term package that starts with no C3 for the person
                               starting in the var('practice_c3_before_lts_days') days
                               before it (the start day included); package_id is set,
                               team and worker are those of the agreeing conversation.
      escalated_without_next   outcome ESCALATED and no next conversation.
      next_after_non_escalated a next conversation after an outcome other than ESCALATED.
    Incremental by person: a daily build looks again only at the people int_changed_keys
    names (worklist_people). The agreeing conversation of a package may be another
    person's, so it is looked up among all conversations.
-#}
{{ config(**incremental_by('person_id', 'worklist_people')) }}
-- depends_on: {{ ref('int_changed_keys') }}
with conversations as (
    select * from {{ ref('fct_conversations') }}
    where {{ is_changed('person_id', 'worklist_people') }}
),

escalations as (
    select
        c.*,
        f.finding
    from conversations as c
    cross join (values ('unexplained'), ('unchallenged'), ('premature')) as f (finding)
    where c.is_direct_escalation
      and (
          (f.finding = 'unexplained' and c.is_unexplained_escalation)
          or (f.finding = 'unchallenged' and c.is_unchallenged_escalation)
          or (f.finding = 'premature' and c.is_premature_escalation)
      )
),

c3_during_open_c2 as (
    select
        c3.*,
        c2.conversation_id as related_conversation_id
    from conversations as c3
    inner join conversations as c2
        on c2.person_id = c3.person_id
       and c2.conversation_type = 'C2'
       and c2.start_date <= c3.start_date
       and (c2.end_date is null or c2.end_date > c3.start_date)
    where c3.conversation_type = 'C3'
),

long_term_packages as (
    select p.*
    from {{ ref('int_packages_current') }} as p
    inner join {{ ref('export_codes') }} as st
        on st.code_list = 'service_type' and st.code = p.service_type and st.is_long_term
    where p.start_date <= {{ as_of_date() }}
        and {{ is_changed('p.person_id', 'worklist_people') }}
),

lts_without_recent_c3 as (
    select
        p.package_id,
        p.person_id,
        p.start_date as package_start_date,
        p.conversation_id as agreeing_conversation_id,
        agreed.team_id,
        agreed.worker_id
    from long_term_packages as p
    left join {{ ref('fct_conversations') }} as agreed
        on agreed.conversation_id = p.conversation_id
    where not exists (
        select 1
        from conversations as c3
        where c3.person_id = p.person_id
          and c3.conversation_type = 'C3'
          and c3.start_date between p.start_date - {{ var('practice_c3_before_lts_days') | int }} and p.start_date
    )
),

findings as (
    select
        finding,
        'escalation' as finding_group,
        conversation_id,
        conversation_type,
        next_conversation_id,
        next_conversation_type,
        cast(null as {{ dbt.type_string() }}) as related_conversation_id,
        cast(null as {{ dbt.type_string() }}) as package_id,
        person_id,
        team_id,
        worker_id,
        start_date,
        end_date,
        next_start_date,
        cast(null as date) as package_start_date,
        next_start_date as finding_date,
        is_unexplained_escalation,
        is_unchallenged_escalation,
        is_premature_escalation,
        escalation_reason
    from escalations

    union all

    select
        'c3_during_open_c2', 'practice', conversation_id, conversation_type, next_conversation_id,
        next_conversation_type, related_conversation_id, null, person_id, team_id, worker_id, start_date,
        end_date, next_start_date, null, start_date, false, false, false, escalation_reason
    from c3_during_open_c2

    union all

    select
        'lts_without_recent_c3', 'practice', agreeing_conversation_id, null, null, null, null, package_id,
        person_id, team_id, worker_id, null, null, null, package_start_date, package_start_date,
        false, false, false, null
    from lts_without_recent_c3

    union all

    select
        'escalated_without_next', 'practice', conversation_id, conversation_type, null, null, null, null,
        person_id, team_id, worker_id, start_date, end_date, null, null, end_date, false, false, false,
        escalation_reason
    from conversations
    where outcome = 'ESCALATED' and not has_next

    union all

    select
        'next_after_non_escalated', 'practice', conversation_id, conversation_type, next_conversation_id,
        next_conversation_type, null, null, person_id, team_id, worker_id, start_date, end_date,
        next_start_date, null, next_start_date, is_unexplained_escalation, is_unchallenged_escalation,
        is_premature_escalation, escalation_reason
    from conversations
    where has_next and outcome is not null and outcome <> 'ESCALATED'
)

select * from findings
