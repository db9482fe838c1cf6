-- The sector grades departments send (tax credit A/B/M/C/D, environmental credit colours, road-
-- transport reputation AAA–B, social-organisation 1A–5A, labour-security A–C, association ratings):
-- each subject's latest grade per sector model (config/rating_model.yaml: sector_models), mapped to
-- the common scale (common score 0–100; its grade is the grade of common score × 10). Only counted
-- records (current, active on the build date) younger than the model's max_age_years — measured
-- from the rating cycle's reference date, like decay, so a grade never ages out between two
-- re-gradings. Feeds the evaluation dimension of the public score and the sector ratings.
{{ config(post_hook=[
    "create unique index if not exists {{ this.name }}_pk on {{ this }} (subject_id, model_key)",
    "create index if not exists {{ this.name }}_version_idx on {{ this }} (record_version_id)",
]) }}

with model as (

    select * from {{ ratings_source('ref_config', 'rating_model') }}

),

bands as (

    select * from {{ ratings_source('ref_config', 'rating_grade_band') }}

),

sector_models as (

    select * from {{ ratings_source('ref_config', 'sector_model') }}

),

grade_map as (

    select * from {{ ratings_source('ref_config', 'sector_grade_map') }}

),

dates as (

    select date_trunc(model.regrade_cycle, {{ as_of_date() }})::date as reference_date
    from model

),

counted as (

    {{ rating_counted_records(extra="and rec.feed_key in (select feed_key from sector_models)") }}

),

graded as (

    select
        counted.subject_id,
        sector_models.model_key,
        sector_models.name_zh as model_name_zh,
        counted.sector_slug,
        counted.feed_key,
        counted.record_key,
        counted.record_version_id,
        counted.decision_date,
        case when (counted.details ->> sector_models.year_field) ~ '^[0-9]{4}$'
             then (counted.details ->> sector_models.year_field)::integer end as evaluation_year,
        counted.details ->> sector_models.grade_field as source_grade,
        counted.received_at,
        row_number() over (
            partition by counted.subject_id, sector_models.model_key
            order by case when (counted.details ->> sector_models.year_field) ~ '^[0-9]{4}$'
                          then (counted.details ->> sector_models.year_field)::integer end desc nulls last,
                     counted.decision_date desc, counted.record_key
        ) as recency
    from counted
    join sector_models on sector_models.feed_key = counted.feed_key
    cross join dates
    where counted.details ->> sector_models.grade_field is not null
      and (sector_models.max_age_years is null
           or counted.decision_date > dates.reference_date
                                      - make_interval(months => (sector_models.max_age_years * 12)::integer))

)

select
    graded.subject_id::text as subject_id,
    graded.model_key::text as model_key,
    graded.model_name_zh::text as model_name_zh,
    graded.sector_slug::text as sector_slug,
    graded.feed_key::text as feed_key,
    graded.record_key::text as record_key,
    graded.record_version_id::text as record_version_id,
    graded.decision_date::date as decision_date,
    graded.evaluation_year::integer as evaluation_year,
    graded.source_grade::text as source_grade,
    grade_map.common_score::numeric as common_score,
    {{ rating_grade_of('grade_map.common_score * 10') }}::text as common_grade,
    grade_map.cap_grade::text as cap_grade,
    grade_map.cap_score::numeric as cap_score,
    (grade_map.source_grade is not null)::boolean as is_mapped,
    graded.received_at::timestamptz as received_at
from graded
left join grade_map
    on grade_map.model_key = graded.model_key
   and grade_map.source_grade = graded.source_grade
where graded.recency = 1
