{#- A share with its denominator guarded: null (not 0, not an error) when there is nothing to share. -#}
{% macro share(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as {{ type_double() }}) / {{ denominator }} end
{%- endmacro %}
