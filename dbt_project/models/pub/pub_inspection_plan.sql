-- pub.inspection_plan: one row per quarter's random-inspection plan (双随机、一公开) with the published
-- seed and method, so anyone can re-run the draw, and per stratum the population, target
-- (round(ratio × population)), eligible and selected counts. The subjects are in
-- pub.inspection_plan_subject. Plans are drawn by the Dagster job inspection_plan_job.
{{ config(alias='inspection_plan', materialized='view') }}

select
    plan.quarter::text as quarter,
    plan.quarter_start::date as quarter_start,
    plan.quarter_end::date as quarter_end,
    plan.seed::text as seed,
    plan.draw_method::text as draw_method,
    plan.drawn_at::timestamptz as drawn_at,
    plan.ratings_as_of::date as ratings_as_of,
    plan.frame_subjects::integer as frame_subjects,
    plan.frame_digest::text as frame_digest,
    plan.strata::jsonb as strata,
    plan.subjects_selected::integer as subjects_selected,
    plan.config_hash::text as config_hash
from {{ ratings_source('supervision', 'inspection_plan') }} as plan
