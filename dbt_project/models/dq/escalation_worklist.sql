{#-
    The team managers' worklist: one row per finding (int_worklist_findings, kept
    incrementally, where the findings are defined), with the as-of date. A view.
-#}
{{ config(materialized='view', meta={'changed_key': ['person_id', 'worklist_people']}) }}
select
    f.*,
    {{ as_of_date() }} as as_of_date
from {{ ref('int_worklist_findings') }} as f
