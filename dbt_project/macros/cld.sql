{#-
    The statutory returns' year and the Client Level Data (CLD) mappings.

    The year comes from var cld_year ('2024-25'), which `threec returns --year` sets;
    unset, it is the latest financial year that ended on or before the as-of date.
-#}

{% macro cld_year_start_year() -%}
    {%- set value = var('cld_year', none) -%}
    {%- if value is none or (value | string | trim) in ('', 'None', 'none', 'null') -%}
        ({{ financial_year_start_year(as_of_date()) }} - 1)
    {%- else -%}
        {%- set text = value | string | trim -%}
        {%- set m = modules.re.match('^(\d{4})-(\d{2})$', text) -%}
        {%- if not m or ((m.group(1) | int) + 1) % 100 != (m.group(2) | int) -%}
            {{ exceptions.raise_compiler_error("var cld_year must be a financial year like 2024-25, got " ~ text) }}
        {%- endif -%}
        {{ m.group(1) }}
    {%- endif -%}
{%- endmacro %}

{#- First and last day of the return's year (1 April to 31 March). -#}
{% macro cld_period_start() -%}
    {{ date_from_parts(cld_year_start_year(), 4, 1) }}
{%- endmacro %}

{% macro cld_period_end() -%}
    {{ date_from_parts(cld_year_start_year() ~ ' + 1', 3, 31) }}
{%- endmacro %}

{#- The defined value an export code maps to (seed cld_code_map; null when the code is null). -#}
{% macro cld_value(code_list, cld_field, code_expr) -%}
    (select m.cld_value from {{ ref('cld_code_map') }} as m
     where m.code_list = '{{ code_list }}' and m.cld_field = '{{ cld_field }}' and m.code = {{ code_expr }})
{%- endmacro %}

{#- The defined value of a derived situation (seed cld_derived_values). -#}
{% macro cld_derived(rule, situation_expr) -%}
    (select d.cld_value from {{ ref('cld_derived_values') }} as d
     where d.rule = '{{ rule }}' and d.situation = {{ situation_expr }})
{%- endmacro %}

{#- Whole years from date of birth to the day (DHSC's CLD processing uses days / 365.25, floored). -#}
{% macro age_on(birth_date, day) -%}
    cast(floor(({{ day }} - {{ birth_date }}) / 365.25) as integer)
{%- endmacro %}

{#- SALT and ASCOF age bands for an age (null age: 'Unknown'). -#}
{% macro age_band(age) -%}
    (case when {{ age }} is null then 'Unknown'
          when {{ age }} < 18 then 'Under 18'
          when {{ age }} <= 64 then '18 to 64'
          else '65 and above' end)
{%- endmacro %}
