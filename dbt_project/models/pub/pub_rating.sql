-- pub.rating: every subject's public credit evaluation (公共信用综合评价): grade, score, the cap
-- holding it down if any, points per dimension. Explained row by row in pub.rating_explanation;
-- grade changes in pub.rating_history and the feed pub.rating_change.
{{ config(alias='rating', materialized='view') }}

select
    ratings.subject_id::text as subject_id,
    subjects.subject_kind::text as subject_kind,
    ratings.grade::text as grade,
    ratings.grade_name_zh::text as grade_name_zh,
    ratings.score::numeric as score,
    ratings.cap_key::text as cap_key,
    ratings.cap_name_zh::text as cap_name_zh,
    ratings.cap_max_grade::text as cap_max_grade,
    ratings.is_serious_listed::boolean as is_serious_listed,
    ratings.counted_records::integer as counted_records,
    ratings.negative_records::integer as negative_records,
    ratings.positive_records::integer as positive_records,
    ratings.dimension_points::jsonb as dimension_points,
    ratings.model_key::text as model_key,
    ratings.model_version::text as model_version,
    ratings.rated_as_of::date as rated_as_of,
    ratings.rated_at::timestamptz as rated_at
from {{ ref('mart_rating__current') }} as ratings
join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
