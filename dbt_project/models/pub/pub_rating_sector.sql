-- pub.rating_sector: sector ratings — the grade a department sent (tax credit, environmental credit,
-- road transport, social organisation, labour security, association rating) on the common scale,
-- combined with the public evaluation; public_component + sector_component + cap_adjustment =
-- sector_score.
{{ config(alias='rating_sector', materialized='view') }}

select
    sector.subject_id::text as subject_id,
    sector.model_key::text as model_key,
    sector.model_name_zh::text as model_name_zh,
    sector.sector_slug::text as sector_slug,
    sector.source_grade::text as source_grade,
    sector.evaluation_year::integer as evaluation_year,
    sector.decision_date::date as decision_date,
    sector.common_score::numeric as common_score,
    sector.public_score::numeric as public_score,
    sector.public_weight::numeric as public_weight,
    sector.sector_weight::numeric as sector_weight,
    sector.public_component::numeric as public_component,
    sector.sector_component::numeric as sector_component,
    sector.cap_adjustment::numeric as cap_adjustment,
    sector.cap_reason::text as cap_reason,
    sector.sector_score::numeric as sector_score,
    sector.sector_grade::text as sector_grade,
    sector.rated_as_of::date as rated_as_of
from {{ ref('mart_rating__sector') }} as sector
