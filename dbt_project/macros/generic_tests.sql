{# Generic tests the project needs and would otherwise take from a package (no dbt hub here). #}

{% test unique_combination(model, columns) %}
-- rows whose combination of the given columns occurs more than once
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
