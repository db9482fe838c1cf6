{# The date the warehouse is built "as of": today, unless the run passes --vars '{as_of_date: …}'
   (tests and back-dated rebuilds). Publication windows and statuses are computed against it. #}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value -%}date '{{ value }}'{%- else -%}current_date{%- endif -%}
{%- endmacro %}

{# A record's status on a date, from its date-independent lifecycle (core.fct_credit_record):
   corrected, revoked and repaired win; a record under objection is marked; otherwise it is expired
   after its maximum publication window and active before. #}
{% macro record_status(alias, on_date) -%}
    case
        when {{ alias }}.lifecycle_status <> 'active' then {{ alias }}.lifecycle_status
        when {{ alias }}.repaired_date is not null and {{ alias }}.repaired_date <= {{ on_date }} then 'repaired'
        when {{ alias }}.is_under_objection then 'under_objection'
        when {{ alias }}.publication_max_end_date is not null and {{ alias }}.publication_max_end_date < {{ on_date }} then 'expired'
        else 'active'
    end
{%- endmacro %}
