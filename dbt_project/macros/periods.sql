{#- Reporting periods. Councils report by calendar month and by financial year (April to March). -#}

{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{% macro month_label(date_expr) -%}
    {{ date_to_text(date_expr, 'YYYY-MM') }}
{%- endmacro %}

{#- Calendar year in which the financial year containing the date began. -#}
{% macro financial_year_start_year(date_expr) -%}
    (extract(year from {{ date_expr }}) - case when extract(month from {{ date_expr }}) < 4 then 1 else 0 end)
{%- endmacro %}

{% macro financial_year_start(date_expr) -%}
    {{ date_from_parts(financial_year_start_year(date_expr), 4, 1) }}
{%- endmacro %}

{#- '2024-25' for 1 April 2024 to 31 March 2025, as the returns and finance workbooks label it. -#}
{% macro financial_year_label(date_expr) -%}
    (cast({{ financial_year_start_year(date_expr) }} as {{ dbt.type_string() }}) || '-'
        || lpad(cast(({{ financial_year_start_year(date_expr) }} + 1) % 100 as {{ dbt.type_string() }}), 2, '0'))
{%- endmacro %}

{#- The rows of `relation` twice, once per reporting period (calendar month and financial
    year) of `date_column`, with period_type, period and period_start in front. -#}
{% macro in_reporting_periods(relation, date_column, columns) -%}
    {%- for period_type in ['month', 'financial_year'] %}
    select
        '{{ period_type }}' as period_type,
        {% if period_type == 'month' -%}
        {{ month_label(date_column) }} as period,
        {{ month_start(date_column) }} as period_start,
        {%- else -%}
        {{ financial_year_label(date_column) }} as period,
        {{ financial_year_start(date_column) }} as period_start,
        {%- endif %}
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- One row per month from `first_month` to the as-of date's month, with the as-of date
    beside it; reads the `as_of` CTE (one row, column as_of_date) of the calling model. -#}
{% macro months_through_as_of(first_month) -%}
    select
        {{ date_series(first_month, month_start('a.as_of_date'), 'month') }} as month,
        a.as_of_date
    from as_of as a
{%- endmacro %}
