{#- The graph node of the model that `sql` reads: `sql` is a model's relation, or a subquery
    over it (a test's `where`, or an incremental build's rows, macros/get_where_subquery.sql),
    so the model is the one whose relation is named first in it. None when no model is. -#}
{% macro model_node(sql) -%}
    {%- set found = namespace(node=none, at=-1) -%}
    {%- for candidate in graph.nodes.values() if candidate.resource_type == 'model' and candidate.relation_name -%}
        {%- set at = (sql | string).find(candidate.relation_name) -%}
        {%- if at >= 0 and (found.node is none or at < found.at) -%}
            {%- set found.node = candidate -%}
            {%- set found.at = at -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found.node) }}
{%- endmacro %}
