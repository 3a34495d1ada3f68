{#-
    Every non-null value of the column is a code of the named list in the export_codes
    seed (the seed is generated from the contract, so code lists are never typed twice).
-#}
{% test in_code_list(model, column_name, code_list) %}
select {{ column_name }} as value, count(*) as rows_with_value
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
      select code from {{ ref('export_codes') }} where code_list = '{{ code_list }}'
  )
group by {{ column_name }}
{% endtest %}
