-- Records that could not be assigned to a subject automatically, with the nearest known subjects
-- by trigram similarity of the normalised name (pg_trgm). A person reviews and decides; nothing
-- here is merged automatically.
{{ config(post_hook=["create index if not exists {{ this.name }}_feed_idx on {{ this }} (feed_key)"]) }}

with unresolved as (

    select record_row_id, feed_key, sector_slug, load_id, source_name, source_row_number,
           subject_name, name_key, subject_kind, resolution_method, is_quarantined
    from {{ ref('int_records__resolved') }}
    where subject_id is null

),

subjects as (

    select subject_id, canonical_name, name_key, subject_kind from {{ ref('dim_credit_subject') }}

)

select
    unresolved.*,
    candidates.candidates,
    coalesce(jsonb_array_length(candidates.candidates), 0) as candidate_count
from unresolved
left join lateral (
    select jsonb_agg(jsonb_build_object('subject_id', s.subject_id, 'name', s.canonical_name,
                                        'similarity', round(similarity(s.name_key, unresolved.name_key)::numeric, 3))
                     order by similarity(s.name_key, unresolved.name_key) desc) as candidates
    from (
        select * from subjects s
        where unresolved.name_key is not null
          and s.name_key % unresolved.name_key
        order by similarity(s.name_key, unresolved.name_key) desc
        limit {{ var('review_candidates', 3) }}
    ) s
) candidates on true
