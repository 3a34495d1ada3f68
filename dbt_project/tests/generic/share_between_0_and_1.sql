{#- A share is a fraction: between 0 and 1 inclusive, or null when its denominator is 0. -#}
{% test share_between_0_and_1(model, column_name) %}
select {{ column_name }} as share
from {{ model }}
where {{ column_name }} is not null
  and not ({{ column_name }} >= 0 and {{ column_name }} <= 1)
{% endtest %}
