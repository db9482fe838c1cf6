-- The sampling frame of the quarterly random-inspection draw (credit.ratings.inspection): every
-- subject that may be inspected (config/inspection.yaml: population.subject_kinds), its stratum —
-- serious_list when it is on the serious-dishonesty list, else its grade — and the department that
-- would inspect it: the one that sent most of its counted records (marts.mart_rating__current), or
-- rules.default_department when it has none or that department has no roster.
{{ config(indexes=[
    {'columns': ['subject_id'], 'unique': True},
]) }}

with params as (

    select * from {{ ratings_source('ref_config', 'inspection_param') }}

),

departments as (

    select distinct department_code, department_name_zh
    from {{ ratings_source('ref_config', 'inspector') }}

)

select
    ratings.subject_id::text as subject_id,
    subjects.subject_kind::text as subject_kind,
    subjects.division_code::text as division_code,
    ratings.grade::text as grade,
    ratings.score::numeric as score,
    ratings.is_serious_listed::boolean as is_serious_listed,
    (case when ratings.is_serious_listed then 'serious_list' else ratings.grade end)::text as stratum,
    departments.department_code::text as department_code,
    departments.department_name_zh::text as department_name_zh,
    ratings.rated_as_of::date as rated_as_of,
    ratings.rated_at::timestamptz as rated_at
from {{ ref('mart_rating__current') }} as ratings
join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
cross join params
left join departments as own_department on own_department.department_code = ratings.department_code
left join departments
  on departments.department_code = coalesce(own_department.department_code, params.default_department)
where subjects.subject_kind = any(params.subject_kinds)
