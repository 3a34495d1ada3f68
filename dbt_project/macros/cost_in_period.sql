{#-
    Package costs over time (metrics.md, Package costs). Each macro reads the columns of
    a costed package row (marts.fct_packages or a relation with the same column names):
    start_date, end_date, is_one_off, unit_cost and a weekly cost column. `alias` is the
    table alias to prefix them with ('' for none).

    Active on day d: start_date <= d and (end_date is null or d <= end_date); a ONE_OFF
    line is active on its start_date only, whatever its end_date.
-#}

{% macro package_column(alias, column) -%}
    {{ alias ~ '.' if alias else '' }}{{ column }}
{%- endmacro %}

{#- Last day the line is active: its start_date for a ONE_OFF line, else end_date (null = ongoing). -#}
{% macro package_last_active_date(alias='') -%}
    (case when {{ package_column(alias, 'is_one_off') }} then {{ package_column(alias, 'start_date') }}
          else {{ package_column(alias, 'end_date') }} end)
{%- endmacro %}

{#- The last active day of a line that has not ended: the greatest date every engine holds. -#}
{% macro open_end() -%}
    date '9999-12-31'
{%- endmacro %}

{#- True when the package line is active on the day (a SQL date expression). Written as two
    plain inequalities (an ongoing line runs to open_end()) so joins on it can be range joins. -#}
{% macro package_active_on(day, alias='') -%}
    ({{ package_column(alias, 'start_date') }} <= {{ day }}
        and {{ day }} <= coalesce({{ package_last_active_date(alias) }}, {{ open_end() }}))
{%- endmacro %}

{#- Days of [period_start, period_end] (both inclusive) on which the line is active; 0 when none. -#}
{% macro package_active_days(period_start, period_end, alias='') -%}
    greatest(
        0,
        {{ days_between(
            'greatest(' ~ package_column(alias, 'start_date') ~ ', ' ~ period_start ~ ')',
            'least(coalesce(' ~ package_last_active_date(alias) ~ ', ' ~ period_end ~ '), ' ~ period_end ~ ')'
        ) }} + 1
    )
{%- endmacro %}

{#-
    Cost in a period [period_start, period_end], both inclusive: weekly cost x active days
    in the period / 7, plus the unit_cost of a ONE_OFF line whose start_date falls in the
    period (a ONE_OFF line has no weekly cost). `weekly_cost` names the weekly column:
    weekly_cost (gross, the spec's figure) or net_weekly_cost. Unrounded.
-#}
{% macro cost_in_period(period_start, period_end, alias='', weekly_cost='weekly_cost') -%}
    (case
        when {{ package_column(alias, 'is_one_off') }} then
            case when {{ package_column(alias, 'start_date') }} between {{ period_start }} and {{ period_end }}
                 then {{ package_column(alias, 'unit_cost') }} else 0 end
        else coalesce({{ package_column(alias, weekly_cost) }}, 0)
             * {{ package_active_days(period_start, period_end, alias) }} / 7.0
    end)
{%- endmacro %}
