-- Sector ratings: for every subject with a (mapped, current) sector grade, the sector grade on the
-- common scale combined with the public evaluation (config/rating_model.yaml, sector_models):
--
--   sector_score = public_component + sector_component + cap_adjustment
--   public_component = public score × public weight / (public + sector weight)
--   sector_component = common score × 10 × sector weight / (public + sector weight)
--   cap_adjustment   holds the score at the top of the source grade's cap grade (tax D → at most
--                    D) and of the public evaluation's cap (serious-dishonesty list → at most D)
{{ config(indexes=[
    {'columns': ['subject_id', 'model_key'], 'unique': True},
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

combined as (

    select
        grades.subject_id,
        grades.model_key,
        grades.model_name_zh,
        grades.sector_slug,
        grades.record_key,
        grades.decision_date,
        grades.evaluation_year,
        grades.source_grade,
        grades.common_score,
        grades.common_grade,
        grades.cap_grade,
        grades.cap_score,
        ratings.score as public_score,
        ratings.grade as public_grade,
        ratings.cap_key as public_cap_key,
        ratings.cap_max_grade as public_cap_grade,
        ratings.cap_max_score as public_cap_score,
        sector_models.public_weight / (sector_models.public_weight + sector_models.sector_weight) as public_share,
        sector_models.sector_weight / (sector_models.public_weight + sector_models.sector_weight) as sector_share,
        round(ratings.score * sector_models.public_weight
              / (sector_models.public_weight + sector_models.sector_weight), model.score_decimals) as public_component,
        round(grades.common_score * 10 * sector_models.sector_weight
              / (sector_models.public_weight + sector_models.sector_weight), model.score_decimals) as sector_component,
        ratings.rated_as_of,
        ratings.rated_at
    from {{ ref('mart_rating__sector_grade') }} as grades
    join {{ ref('mart_rating__current') }} as ratings on ratings.subject_id = grades.subject_id
    join sector_models on sector_models.model_key = grades.model_key
    cross join model
    where grades.is_mapped

),

capped as (

    select
        combined.*,
        combined.public_component + combined.sector_component as uncapped_score,
        least(combined.public_component + combined.sector_component,
              coalesce(combined.cap_score, combined.public_component + combined.sector_component),
              coalesce(combined.public_cap_score, combined.public_component + combined.sector_component)) as sector_score
    from combined

)

select
    capped.subject_id::text as subject_id,
    capped.model_key::text as model_key,
    capped.model_name_zh::text as model_name_zh,
    capped.sector_slug::text as sector_slug,
    capped.record_key::text as record_key,
    capped.decision_date::date as decision_date,
    capped.evaluation_year::integer as evaluation_year,
    capped.source_grade::text as source_grade,
    capped.common_score::numeric as common_score,
    capped.common_grade::text as common_grade,
    capped.public_score::numeric as public_score,
    capped.public_grade::text as public_grade,
    round(capped.public_share, 4)::numeric as public_weight,
    round(capped.sector_share, 4)::numeric as sector_weight,
    capped.public_component::numeric as public_component,
    capped.sector_component::numeric as sector_component,
    (capped.sector_score - capped.uncapped_score)::numeric as cap_adjustment,
    case
        when capped.sector_score = capped.uncapped_score then null
        when capped.cap_score is not null and capped.sector_score = capped.cap_score
            then format('%s %s: at most %s', capped.model_name_zh, capped.source_grade, capped.cap_grade)
        else format('public evaluation cap %s: at most %s', capped.public_cap_key, capped.public_cap_grade)
    end::text as cap_reason,
    capped.sector_score::numeric as sector_score,
    band.grade::text as sector_grade,
    capped.rated_as_of::date as rated_as_of,
    capped.rated_at::timestamptz as rated_at
from capped
left join lateral (
    select bands.grade from bands
    where capped.sector_score >= bands.min_score
    order by bands.min_score desc
    limit 1
) as band on true
