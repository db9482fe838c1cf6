-- pub.rating_explanation: why a subject has its score — one row per term (base score, each record
-- that moved it, indicator and score bounds, grade cap); a subject's rows sum exactly to its score
-- in pub.rating. A record that is not itself published (pub.credit_record) keeps its row and its
-- contribution, so the sum still holds, but its identifying details are withheld.
{{ config(alias='rating_explanation', materialized='view') }}

select
    contribution.subject_id::text as subject_id,
    contribution.contribution_kind::text as contribution_kind,
    contribution.display_order::integer as display_order,
    contribution.dimension_key::text as dimension_key,
    contribution.indicator_key::text as indicator_key,
    contribution.cap_key::text as cap_key,
    (contribution.record_key is not null and published.record_key is not null)::boolean as is_published_record,
    published.record_key::text as record_key,
    case when contribution.record_key is null or published.record_key is not null
         then contribution.decision_date end::date as decision_date,
    contribution.information_category::text as information_category,
    contribution.severity::text as severity,
    contribution.source_grade::text as source_grade,
    contribution.base_points::numeric as base_points,
    contribution.weight::numeric as weight,
    contribution.age_days::integer as age_days,
    contribution.decay_factor::numeric as decay_factor,
    contribution.contribution::numeric as contribution,
    case when contribution.record_key is null or published.record_key is not null
         then contribution.explanation
         else concat_ws(' ', contribution.indicator_key, contribution.cap_key, '(未公示记录 record not published)')
    end::text as explanation,
    contribution.rated_as_of::date as rated_as_of,
    contribution.rated_at::timestamptz as rated_at
from {{ ref('mart_rating__contribution') }} as contribution
left join {{ ref('pub_credit_record') }} as published on published.record_key = contribution.record_key
