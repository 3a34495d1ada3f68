{#-
    One row per current delayed transfer of care ready by the as-of date, with the
    person it belongs to, its length and band, and the conversation that followed the
    discharge (metrics.md, Delayed transfers of care; docs/delayed-transfers.md).

    - Person: the delivered person_id; without one, the one current person whose
      nhs_pseudonym equals the delay's (a pseudonym held by two or more people links
      to nobody rather than to a guess). person_linked_by says which.
    - delay_days: the delay's delayed days as of the as-of date (discharge_date -
      ready_date once discharged; through the as-of date inclusive while still delayed),
      the same days fct_delayed_days spreads over months.
    - delay_band: for a delay discharged by the as-of date, the band of the delay_bands
      seed holding discharge_date - ready_date; null while still delayed.
    - Follow-up: the person's first conversation in the conversation order starting on
      or after discharge_date and no later than var('delay_followup_window_days') days
      after it (started by the as-of date, as every conversation in fct_conversations).
      became = its type (C1A, C1, C2, C3), or 'none' when there is none (still delayed,
      not linked to a person, or no conversation in the window).
    - conversations_during_delay: the person's conversations starting on a delayed day
      (ready_date to last_delayed_date), e.g. a hospital team's assessment on the ward;
      they are not the follow-up, which starts once the patient has left.
-#}
{%- set window_days = var('delay_followup_window_days') | int -%}
with delays as (
    select * from {{ ref('int_delays_as_of') }}
),

people_by_pseudonym as (
    select nhs_pseudonym, min(person_id) as person_id
    from {{ ref('int_people_current') }}
    where nhs_pseudonym is not null
    group by nhs_pseudonym
    having count(*) = 1
),

linked as (
    select
        d.*,
        coalesce(d.person_id, p.person_id) as linked_person_id,
        case
            when d.person_id is not null then 'person_id'
            when p.person_id is not null then 'nhs_pseudonym'
        end as person_linked_by
    from delays as d
    left join people_by_pseudonym as p
        on d.person_id is null
        and p.nhs_pseudonym = d.nhs_pseudonym
),

followups as (
    select delay_id, conversation_id, conversation_type, team_id, start_date, outcome_bucket, journey_id
    from (
        select
            d.delay_id,
            c.conversation_id,
            c.conversation_type,
            c.team_id,
            c.start_date,
            c.outcome_bucket,
            c.journey_id,
            row_number() over (partition by d.delay_id order by c.person_conversation_seq) as followup_rank
        from linked as d
        inner join {{ ref('fct_conversations') }} as c
            on c.person_id = d.linked_person_id
            and c.start_date >= d.discharge_date
            and c.start_date <= d.discharge_date + {{ window_days }}
    ) as in_window
    where followup_rank = 1
),

during as (
    select d.delay_id, count(*) as conversations_during_delay
    from linked as d
    inner join {{ ref('fct_conversations') }} as c
        on c.person_id = d.linked_person_id
        and c.start_date >= d.ready_date
        and c.start_date <= d.last_delayed_date
    group by d.delay_id
),

bands as (
    select band, min_days, max_days, sort_order
    from {{ ref('delay_bands') }}
)

select
    d.delay_id,
    d.linked_person_id as person_id,
    d.person_linked_by,
    d.provider_code,
    d.provider_name,
    d.bed_type,
    d.reason_code,
    d.responsible_org,
    d.ready_date,
    d.discharge_date,
    d.is_discharged,
    d.recorded_discharge_date,
    d.delayed_days as delay_days,
    b.band         as delay_band,
    b.sort_order   as delay_band_sort,
    f.conversation_id   as followup_conversation_id,
    f.conversation_type as followup_conversation_type,
    f.team_id           as followup_team_id,
    f.start_date        as followup_start_date,
    f.outcome_bucket    as followup_outcome_bucket,
    f.journey_id        as followup_journey_id,
    coalesce(f.conversation_type, 'none') as became,
    cast(coalesce(g.conversations_during_delay, 0) as bigint) as conversations_during_delay,
    d.is_discharged and d.discharge_date + {{ window_days }} <= d.as_of_date as is_followup_window_complete,
    {{ window_days }} as followup_window_days,
    d.as_of_date
from linked as d
left join followups as f
    on f.delay_id = d.delay_id
left join during as g
    on g.delay_id = d.delay_id
left join bands as b
    on d.is_discharged
    and {{ days_between('d.ready_date', 'd.discharge_date') }} >= b.min_days
    and (b.max_days is null or {{ days_between('d.ready_date', 'd.discharge_date') }} <= b.max_days)
