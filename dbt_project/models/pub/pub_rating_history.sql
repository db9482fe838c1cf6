-- pub.rating_history: every subject's grades over time — its first grade and each change, with the
-- reason (indicators that moved, new records, caps).
{{ config(alias='rating_history', materialized='view') }}

select
    history.change_id::bigint as change_id,
    history.subject_id::text as subject_id,
    history.change_kind::text as change_kind,
    history.previous_grade::text as previous_grade,
    history.grade::text as grade,
    history.previous_score::numeric as previous_score,
    history.score::numeric as score,
    history.previous_cap_key::text as previous_cap_key,
    history.cap_key::text as cap_key,
    history.explanation::text as explanation,
    history.indicator_changes::jsonb as indicator_changes,
    jsonb_array_length(history.new_records)::integer as new_record_count,
    history.effective_date::date as effective_date,
    history.changed_at::timestamptz as changed_at,
    history.model_version::text as model_version
from {{ ref('mart_rating__history') }} as history
