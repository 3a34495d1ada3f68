{#-
    The Client Level Data file of the return's year, without its two identifiers: one row
    per event open at any point in the year, the person's fields repeated on each row,
    columns named as the Release 2 specification names them (seed cld_fields). The
    returns job adds NHS_Number and Postcode from the identity vault (person_delivery_id
    and person_row_number name the person's current version) and writes the file.

    An event is in the year when it starts on or before the year's last day and has no
    end or ends on or after its first day. The file shows the year as it stood at its
    end: an end date (or date of death) after the year is blank, and so is the outcome
    of a conversation still open then.
-#}
with period as (
    select {{ cld_period_start() }} as period_start, {{ cld_period_end() }} as period_end
),

events as (
    select e.*, pe.period_start, pe.period_end
    from {{ ref('int_cld_events') }} as e
    cross join period as pe
    where e.event_start_date <= pe.period_end
      and (e.event_end_date is null or e.event_end_date >= pe.period_start)
),

client_types as (
    select
        person_id,
        {{ cld_derived('client_type',
            "case when bool_and(is_carer_service) then 'unpaid_carer' else 'service_user' end") }} as client_type
    from events
    group by person_id
)

select
    '{{ var("cld_la_code") }}'                  as "LA_Code",
    e.period_start                              as "Reporting_Period_Start_Date",
    e.period_end                                as "Reporting_Period_End_Date",
    e.person_id                                 as "LA_Person_Unique_Identifier",
    cast(null as varchar)                       as "GP_Practice_Code",
    p.gender                                    as "Gender",
    p.ethnicity                                 as "Ethnicity",
    p.date_of_birth                             as "Date_of_Birth",
    case when p.date_of_death <= e.period_end then p.date_of_death end as "Date_of_Death",
    ct.client_type                              as "Client_Type",
    p.primary_support_reason                    as "Primary_Support_Reason",
    p.accommodation_status                      as "Accommodation_Status",
    cast(null as varchar)                       as "Employment_Status",
    p.has_unpaid_carer                          as "Has_Unpaid_Carer",
    cast(null as varchar)                       as "Autism_Spectrum_Disorder_ASD",
    cast(null as varchar)                       as "Visual_Impairment",
    cast(null as varchar)                       as "Hearing_Impairment",
    cast(null as varchar)                       as "Dementia",
    e.client_funding_status                     as "Client_Funding_Status",
    e.event_type                                as "Event_Type",
    e.event_reference                           as "Event_Reference",
    e.event_description                         as "Event_Description",
    e.event_start_date                          as "Event_Start_Date",
    case when e.event_end_date <= e.period_end then e.event_end_date end as "Event_End_Date",
    case when e.event_type = 'Service' or e.event_end_date <= e.period_end then e.event_outcome end
                                                as "Event_Outcome",
    e.request_route_of_access                   as "Request_Route_of_Access",
    e.assessment_type                           as "Assessment_Type",
    cast(null as varchar)                       as "Eligible_Needs_Identified",
    cast(null as varchar)                       as "Method_of_Assessment",
    cast(null as varchar)                       as "Total_Hrs_Caring_per_week",
    cast(null as varchar)                       as "No_of_adults_being_cared_for",
    cast(null as varchar)                       as "Adult_1_Linked_Person_ID",
    cast(null as varchar)                       as "Adult_2_Linked_Person_ID",
    cast(null as varchar)                       as "Adult_3_Linked_Person_ID",
    e.service_type                              as "Service_Type",
    e.service_component                         as "Service_Component",
    e.delivery_mechanism                        as "Delivery_Mechanism",
    cast(null as varchar)                       as "Provider_CQC_Location_ID",
    e.review_reason                             as "Review_Reason",
    cast(null as varchar)                       as "Review_Outcomes_Achieved",
    cast(null as varchar)                       as "Method_of_Review",
    e.unit_cost                                 as "Unit_Cost",
    e.cost_frequency_unit_type                  as "Cost_Frequency_Unit_Type",
    e.planned_units_per_week                    as "Planned_units_per_week",
    e.source_entity,
    e.source_id,
    p.delivery_id                               as person_delivery_id,
    p.row_number                                as person_row_number
from events as e
left join {{ ref('int_cld_people') }} as p
    on p.person_id = e.person_id
left join client_types as ct
    on ct.person_id = e.person_id
