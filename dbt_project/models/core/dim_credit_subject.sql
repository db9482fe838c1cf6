-- The subject master: one row per credit subject, with every identifier seen for it, its
-- canonical name and name history, district, first/last seen. subject_id comes from the subject
-- registry (int_subjects__registry), so rebuilds and new data never renumber a subject; a
-- subject known under several keys (a legacy code, later its USCC) keeps the first id it got.
{# analyze: the next model reads this table before autovacuum would have analysed it #}
{# Indexes through dbt's `indexes` config, not a post-hook `create index if not exists <name>`: on a
   rebuild the swapped-out table still holds that name when the hook runs, so the hook silently
   created nothing on every second build. #}
{{ config(indexes=[
    {'columns': ['subject_id'], 'unique': True},
    {'columns': ['uscc']},
    {'columns': ['id_number_hash']},
    {'columns': ['name_key']},
    {'columns': ['name_key gin_trgm_ops'], 'type': 'gin'},
], pre_hook=["set local work_mem = '256MB'"], post_hook=[
    "analyze {{ this }}",
]) }}

with resolved as (

    select subject_id, resolved_subject_key, subject_kind, subject_name, resolution_method,
           valid_uscc, valid_registration_number, valid_org_code, valid_id_number_hash,
           case when valid_id_number_hash is not null then id_number_masked end as id_number_masked,
           decision_date
    from {{ ref('int_records__resolved') }}
    where subject_id is not null

),

base as (

    select * from {{ ref('int_subjects__registration_base') }}

),

grouped as (

    -- the one pass over the records; everything below works on these few rows per subject
    select
        subject_id, resolved_subject_key, subject_kind, subject_name, resolution_method,
        count(*) as n,
        min(decision_date) as first_seen_date,
        max(decision_date) as last_seen_date,
        max(valid_uscc) as uscc,
        max(valid_registration_number) as registration_number,
        max(valid_org_code) as org_code,
        max(valid_id_number_hash) as id_number_hash,
        max(id_number_masked) as id_number_masked
    from resolved
    group by subject_id, resolved_subject_key, subject_kind, subject_name, resolution_method

),

names as (

    select
        subject_id,
        subject_name,
        sum(n) as times_sent,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date
    from grouped
    where subject_name is not null
    group by subject_id, subject_name

),

name_history as (

    select
        subject_id,
        -- the canonical name is the one sent most often, the latest on a tie
        (array_agg(subject_name order by times_sent desc, last_seen_date desc nulls last, subject_name))[1] as canonical_name,
        jsonb_agg(jsonb_build_object('name', subject_name, 'times_sent', times_sent,
                                     'first_seen', first_seen_date, 'last_seen', last_seen_date)
                  order by first_seen_date nulls last, subject_name) as name_history
    from names
    group by subject_id

),

methods as (

    -- how the subject's records were resolved, e.g. {"uscc": 12, "name_exact": 1}
    select subject_id, jsonb_object_agg(resolution_method, n order by resolution_method) as resolution_methods
    from (select subject_id, resolution_method, sum(n) as n from grouped group by 1, 2) as m
    group by subject_id

),

kinds as (

    -- the kind most of the subject's records give
    select distinct on (subject_id) subject_id, subject_kind
    from (select subject_id, subject_kind, sum(n) as n from grouped group by 1, 2) as k
    order by subject_id, n desc, subject_kind

),

subjects as (

    select
        subject_id,
        -- the strongest of the keys the subject is known by: USCC, ID number, registration number,
        -- organisation code
        (array_agg(resolved_subject_key order by position(left(resolved_subject_key, 1) in 'UPRO'),
                   resolved_subject_key))[1] as subject_key,
        max(uscc) as uscc,
        max(registration_number) as registration_number,
        max(org_code) as org_code,
        max(id_number_hash) as id_number_hash,
        max(id_number_masked) as id_number_masked,
        min(first_seen_date) as first_seen_date,
        max(last_seen_date) as last_seen_date,
        sum(n)::bigint as records_received
    from grouped
    group by subject_id

)

select
    subjects.subject_id,
    subjects.subject_key,
    kinds.subject_kind,
    coalesce(name_history.canonical_name, base.subject_name) as canonical_name,
    util.normalise_name(coalesce(name_history.canonical_name, base.subject_name)) as name_key,
    name_history.name_history,
    coalesce(subjects.uscc, base.uscc) as uscc,
    coalesce(subjects.registration_number, base.registration_number) as registration_number,
    coalesce(subjects.org_code, base.org_code, substr(coalesce(subjects.uscc, base.uscc), 9, 9)) as org_code,
    base.base_subject_key is not null as is_in_registration_base,
    subjects.id_number_hash,
    subjects.id_number_masked,
    -- division code: USCC positions 3–8, the first six digits of the ID number, or of the
    -- legacy registration number (its first six digits are the registering authority's division)
    division.division_code,
    case division.division_code
        when '420200' then '黄石市'
        when '420202' then '黄石港区'
        when '420203' then '西塞山区'
        when '420204' then '下陆区'
        when '420205' then '铁山区'
        when '420222' then '阳新县'
        when '420281' then '大冶市'
    end as district_name,
    'active'::text as subject_status,
    subjects.first_seen_date,
    subjects.last_seen_date,
    subjects.records_received,
    methods.resolution_methods
from subjects
left join name_history using (subject_id)
left join methods using (subject_id)
left join kinds using (subject_id)
left join base on base.base_subject_key = subjects.subject_key
cross join lateral (
    select coalesce(substr(coalesce(subjects.uscc, base.uscc), 3, 6),
                    left(subjects.id_number_masked, 6),
                    left(coalesce(subjects.registration_number, base.registration_number), 6))
           as division_code
) as division
