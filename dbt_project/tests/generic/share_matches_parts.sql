{#-
    A share equals its numerator over its denominator (null when the denominator is 0),
    so the inputs published beside a ratio always reproduce it.
-#}
{% test share_matches_parts(model, column_name, numerator, denominator) %}
select {{ column_name }} as share, {{ numerator }} as numerator, {{ denominator }} as denominator
from {{ model }}
where case
    when {{ denominator }} is null or {{ denominator }} = 0 then {{ column_name }} is not null
    else {{ column_name }} is null
        or abs({{ column_name }} - cast({{ numerator }} as {{ type_double() }}) / {{ denominator }}) > 1e-12
          or {{ numerator }} > {{ denominator }}
end
{% endtest %}
