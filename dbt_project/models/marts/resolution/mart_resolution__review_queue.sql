-- Records that could not be assigned to a subject automatically — ambiguous or near names,
-- contradicting or ambiguous codes, natural persons without a valid ID number — with the nearest
-- known subjects by trigram similarity of the normalised name (pg_trgm), over every name known
-- for a subject (its records' names and the registration base data); for natural persons, their
-- namesakes. A person reviews and decides; nothing here is merged automatically.
{{ config(indexes=[
    {'columns': ['feed_key']},
]) }}

with unresolved as (

    select record_row_id, feed_key, sector_slug, load_id, source_name, source_row_number,
           subject_name, name_key, subject_kind, resolution_method, is_quarantined,
           uscc, uscc__status, registration_number, org_code, id_number_masked, id_number__status,
           decision_number, decision_date
    from {{ ref('int_records__resolved') }}
    where subject_id is null

)

select
    unresolved.*,
    candidates.candidates,
    coalesce(jsonb_array_length(candidates.candidates), 0) as candidate_count
from unresolved
left join lateral (
    select jsonb_agg(jsonb_build_object('subject_id', best.subject_id, 'name', best.subject_name,
                                        'similarity', best.similarity)
                     order by best.similarity desc, best.subject_id) as candidates
    from (
        select * from (
            -- one line per subject, its nearest name
            select distinct on (near.subject_id) near.*
            from (
                -- organisations: near names (trigram similarity, the index on name_key)
                (select n.subject_id, n.subject_name,
                        round(similarity(n.name_key, unresolved.name_key)::numeric, 3) as similarity
                 from {{ ref('int_subjects__names') }} as n
                 where unresolved.subject_kind <> 'natural_person'
                   and unresolved.name_key is not null
                   and not n.is_natural_person
                   and n.name_key % unresolved.name_key
                 order by similarity(n.name_key, unresolved.name_key) desc
                 limit 20)
                union all
                -- natural persons: namesakes only (two or three characters are "near" too many)
                (select n.subject_id, n.subject_name, 1.0
                 from {{ ref('int_subjects__names') }} as n
                 where unresolved.subject_kind = 'natural_person'
                   and n.is_natural_person
                   and n.name_key = unresolved.name_key
                 order by n.subject_id
                 limit 20)
            ) as near
            order by near.subject_id, near.similarity desc
        ) as per_subject
        order by similarity desc, subject_id
        limit {{ var('review_candidates', 3) }}
    ) as best
) as candidates on true
