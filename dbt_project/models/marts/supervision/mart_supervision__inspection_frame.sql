-- The sampling frame of the quarterly random-inspection draw (credit.ratings.inspection): every
-- subject that may be inspected (config/inspection.yaml: population.subject_kinds), its stratum —
-- serious_list when it is on the serious-dishonesty list, else its grade — and the department that
-- would inspect it: the one with most of its current records among the departments with a roster
-- (ties: the lowest department code).
{{ config(post_hook=[
    "create unique index if not exists {{ this.name }}_pk on {{ this }} (subject_id)",
]) }}

with params as (

    select * from {{ ratings_source('ref_config', 'inspection_param') }}

),

departments as (

    select distinct department_code, department_name_zh
    from {{ ratings_source('ref_config', 'inspector') }}

),

record_departments as (

    select fct.subject_id, fct.department_code, count(*) as records
    from {{ ref('fct_credit_record') }} as fct
    where fct.is_current_version
      and fct.subject_id is not null
      and fct.department_code in (select department_code from departments)
    group by fct.subject_id, fct.department_code

),

main_department as (

    select distinct on (subject_id) subject_id, department_code
    from record_departments
    order by subject_id, records desc, department_code

)

select
    ratings.subject_id::text as subject_id,
    subjects.subject_kind::text as subject_kind,
    subjects.division_code::text as division_code,
    ratings.grade::text as grade,
    ratings.score::numeric as score,
    ratings.is_serious_listed::boolean as is_serious_listed,
    (case when ratings.is_serious_listed then 'serious_list' else ratings.grade end)::text as stratum,
    main_department.department_code::text as department_code,
    departments.department_name_zh::text as department_name_zh,
    ratings.rated_as_of::date as rated_as_of,
    ratings.rated_at::timestamptz as rated_at
from {{ ref('mart_rating__current') }} as ratings
join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
cross join params
left join main_department using (subject_id)
left join departments using (department_code)
where subjects.subject_kind = any(params.subject_kinds)
