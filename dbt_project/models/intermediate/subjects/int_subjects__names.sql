-- Every normalised name known for a subject: from the records that resolved on an identifier and
-- from the registration base data (so subjects known only to the base data can be matched and
-- proposed too). Name matching (int_records__resolved) uses the names of subjects that are not
-- natural persons only; the review queue proposes near names (trigram index) of either kind.
-- subject_id comes from the subject registry, as in int_records__resolved.
{# analyze: the next model reads this table before autovacuum would have analysed it #}
{{ config(indexes=[
    {'columns': ['name_key']},
    {'columns': ['name_key gin_trgm_ops'], 'type': 'gin'},
], post_hook=[
    "analyze {{ this }}",
]) }}

with named as (

    select name_key, subject_key, subject_name
    from {{ ref('int_records__keyed') }}
    where subject_key is not null and name_key is not null
    union all
    select name_key, base_subject_key, subject_name
    from {{ ref('int_subjects__registration_base') }}
    where name_key is not null

)

select
    named.name_key,
    named.subject_key,
    registry.subject_id,
    named.subject_key like 'P:%' as is_natural_person,
    min(named.subject_name) as subject_name,
    count(*) as times_seen
from named
join {{ ref('int_subjects__registry') }} as registry using (subject_key)
group by named.name_key, named.subject_key, registry.subject_id
