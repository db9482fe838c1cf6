{# The date the warehouse is built "as of": today, unless the run passes --vars '{as_of_date: …}'
   (tests and back-dated rebuilds). Publication windows and statuses are computed against it. #}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value -%}date '{{ value }}'{%- else -%}current_date{%- endif -%}
{%- endmacro %}
