-- One row per current person with their Client Level Data person fields mapped to the
-- specification's defined lists (seed cld_code_map). NHS number and postcode are not
-- here: the returns job adds them from the identity vault, through delivery_id and
-- row_number, which name the person's current version.
select
    p.person_id,
    p.delivery_id,
    p.row_number,
    p.date_of_birth,
    p.date_of_death,
    {{ cld_value('gender', 'Gender', 'p.gender') }}                                       as gender,
    {{ cld_value('ethnicity', 'Ethnicity', 'p.ethnicity') }}                              as ethnicity,
    {{ cld_value('primary_support_reason', 'Primary_Support_Reason', 'p.primary_support_reason') }}
                                                                                          as primary_support_reason,
    {{ cld_value('accommodation', 'Accommodation_Status', 'p.accommodation') }}           as accommodation_status,
    {{ cld_value('yes_no_unknown', 'Has_Unpaid_Carer', 'p.has_unpaid_carer') }}           as has_unpaid_carer
from {{ ref('int_people_current') }} as p
