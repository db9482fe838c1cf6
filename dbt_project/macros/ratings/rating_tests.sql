{# Data tests of the rating models. Each passes trivially when the rating configuration was never
   installed (the models are then empty by design, see ratings_source). #}

{# Every subject's explanation rows sum exactly to its score, and every rated subject has them. #}
{% test rating_explanation_sums_to_score(model, contributions) %}
with installed as (
    select 1 from {{ ratings_source('ref_config', 'rating_model') }}
),
explained as (
    select subject_id, sum(contribution) as total, count(*) filter (where contribution_kind = 'base') as base_rows
    from {{ contributions }}
    group by subject_id
)
select coalesce(rated.subject_id, explained.subject_id) as subject_id, rated.score, explained.total, explained.base_rows
from {{ model }} as rated
full join explained using (subject_id)
where exists (select 1 from installed)
  and (explained.total is distinct from rated.score or explained.base_rows is distinct from 1)
{% endtest %}

{# Every subject of the subject master has a rating. #}
{% test every_subject_rated(model, subjects) %}
with installed as (
    select 1 from {{ ratings_source('ref_config', 'rating_model') }}
)
select subjects.subject_id
from {{ subjects }} as subjects
where exists (select 1 from installed)
  and not exists (select 1 from {{ model }} as rated where rated.subject_id = subjects.subject_id)
{% endtest %}

{# A sector rating's components sum to its score. #}
{% test sector_rating_components_sum(model) %}
select subject_id, model_key
from {{ model }}
where public_component + sector_component + cap_adjustment <> sector_score
{% endtest %}
