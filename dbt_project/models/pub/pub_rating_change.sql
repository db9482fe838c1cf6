-- pub.rating_change: the change feed subscribing departments and banks poll — one row per grade
-- change (and per subject's first grade, change_kind 'initial'), in change_id order. Poll with
-- `where change_id > <last id seen>` (or `changed_at > <last time>`), or call
-- pub.rating_changes_since(since timestamptz, after_change_id bigint default 0).
{{ config(alias='rating_change', materialized='view', post_hook=["{{ create_rating_changes_since_function() }}"]) }}

select
    history.change_id::bigint as change_id,
    history.changed_at::timestamptz as changed_at,
    history.subject_id::text as subject_id,
    subjects.subject_kind::text as subject_kind,
    case when subjects.subject_kind <> 'natural_person' then subjects.uscc end::text as uscc,
    case when subjects.subject_kind <> 'natural_person' then subjects.canonical_name end::text as subject_name,
    history.change_kind::text as change_kind,
    history.previous_grade::text as previous_grade,
    history.grade::text as grade,
    history.score::numeric as score,
    history.explanation::text as explanation,
    history.effective_date::date as effective_date
from {{ ref('mart_rating__history') }} as history
left join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
