-- pub.integrity_candidate: integrity demonstration candidates (诚信示范) proposed by the rules of
-- config/integrity.yaml, with the evidence for each rule.
{{ config(alias='integrity_candidate', materialized='view') }}

select
    candidate.subject_id::text as subject_id,
    candidate.subject_kind::text as subject_kind,
    case when candidate.subject_kind <> 'natural_person' then subjects.canonical_name end::text as subject_name,
    case when candidate.subject_kind <> 'natural_person' then subjects.uscc end::text as uscc,
    candidate.grade::text as grade,
    candidate.score::numeric as score,
    candidate.reasons::jsonb as reasons,
    candidate.rated_as_of::date as rated_as_of,
    candidate.proposed_at::timestamptz as proposed_at
from {{ ref('mart_supervision__integrity_candidate') }} as candidate
left join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
