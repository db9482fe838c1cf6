-- pub.inspection_plan_subject: the subjects drawn for each quarter, their stratum and rank in the
-- draw, the inspecting department and the two officers drawn from its roster.
{{ config(alias='inspection_plan_subject', materialized='view') }}

select
    planned.quarter::text as quarter,
    plan.seed::text as seed,
    planned.subject_id::text as subject_id,
    subjects.subject_kind::text as subject_kind,
    case when subjects.subject_kind <> 'natural_person' then subjects.canonical_name end::text as subject_name,
    case when subjects.subject_kind <> 'natural_person' then subjects.uscc end::text as uscc,
    planned.stratum::text as stratum,
    planned.grade::text as grade,
    planned.department_code::text as department_code,
    planned.department_name_zh::text as department_name_zh,
    planned.draw_rank::integer as draw_rank,
    planned.draw_key::text as draw_key,
    planned.inspectors::jsonb as inspectors
from {{ ratings_source('supervision', 'inspection_plan_subject') }} as planned
join {{ ratings_source('supervision', 'inspection_plan') }} as plan using (quarter)
left join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
