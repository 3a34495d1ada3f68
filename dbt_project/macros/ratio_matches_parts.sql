{#-
    A ratio that may exceed 1 (beds per day, a rate per 100,000) equals
    scale x numerator / denominator, and is null when the denominator is 0 or null, so
    the inputs published beside it always reproduce it. Compared with a relative
    tolerance, as the figures are doubles.
-#}
{% test ratio_matches_parts(model, column_name, numerator, denominator, scale=1) %}
select {{ column_name }} as ratio, {{ numerator }} as numerator, {{ denominator }} as denominator
from {{ model }}
where case
    when {{ denominator }} is null or {{ denominator }} = 0 then {{ column_name }} is not null
    else {{ column_name }} is null
        or abs({{ column_name }} - {{ scale }} * cast({{ numerator }} as {{ type_double() }}) / ({{ denominator }}))
            > 1e-9 * greatest(1, abs({{ column_name }}))
end
{% endtest %}
