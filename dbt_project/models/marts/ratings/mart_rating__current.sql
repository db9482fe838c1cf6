-- Every subject's current public credit evaluation: score 0–1000 and grade (A/B/C/D by the bands
-- of config/rating_model.yaml), with what made it — the score is the sum of the subject's rows in
-- marts.mart_rating__contribution. pub.credit_check reads the grade from here.
--
-- Incremental: takes the subjects the contribution model re-rated in this run (rated_at after the
-- newest one here), so a day's records re-grade only the subjects they touch. No array columns:
-- dbt cannot add one when the schema changes (on_schema_change), so lists are jsonb.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='subject_id',
    on_schema_change='sync_all_columns',
    pre_hook="set local work_mem = '256MB'",
    post_hook=[
        "create unique index if not exists {{ this.name }}_pk on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_rated_idx on {{ this }} (rated_at)",
        "delete from {{ this }} as c where not exists (select 1 from {{ ref('dim_credit_subject') }} as s where s.subject_id = c.subject_id)",
        "analyze {{ this }}",
    ],
) }}

{#- The subjects the contribution model re-rated in this run (its base rows newer than this table),
    listed first and inlined. When that is everyone, this table is emptied first (cheaper than
    deleting every row). -#}
{%- set everyone = not is_incremental() -%}
{%- set batch_ids = [] -%}
{%- if is_incremental() and execute -%}
    {%- set batch_ids = run_query(
        "select subject_id from " ~ ref('mart_rating__contribution') ~ " where contribution_kind = 'base' "
        ~ "and rated_at > coalesce((select max(rated_at) from " ~ this ~ "), '-infinity'::timestamptz)").columns[0].values() -%}
    {%- set total = run_query("select count(*) from " ~ ref('mart_rating__contribution')
                              ~ " where contribution_kind = 'base'").rows[0][0] -%}
    {%- if batch_ids | length > 0 and batch_ids | length == total -%}
        {%- set everyone = true -%}
        {%- do rating_empty_for_rebuild(this) -%}
    {%- endif -%}
{%- endif %}

with model as (

    select * from {{ ratings_source('ref_config', 'rating_model') }}

),

bands as (

    select * from {{ ratings_source('ref_config', 'rating_grade_band') }}

),

caps as (

    select * from {{ ratings_source('ref_config', 'rating_cap') }}

),

batch as (

    select * from {{ ref('mart_rating__contribution') }}
    {% if not everyone %}
    where subject_id in (
        {%- for subject_id in batch_ids %}'{{ subject_id | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}
        {%- if not batch_ids %}null{% endif %})
    {% endif %}

),

per_indicator as (

    select subject_id, dimension_key, indicator_key,
           sum(contribution) as points,
           count(*) filter (where contribution_kind = 'record') as records
    from batch
    where contribution_kind in ('record', 'indicator_cap')
    group by subject_id, dimension_key, indicator_key

),

per_dimension as (

    select subject_id, dimension_key, sum(points) as points
    from per_indicator
    group by subject_id, dimension_key

),

indicator_json as (

    select subject_id,
           jsonb_object_agg(indicator_key, jsonb_build_object('points', points, 'records', records)) as indicator_points
    from per_indicator
    group by subject_id

),

dimension_json as (

    select subject_id, jsonb_object_agg(dimension_key, points) as dimension_points
    from per_dimension
    group by subject_id

),

totals as (

    select
        subject_id,
        sum(contribution) as score,
        sum(contribution) filter (where contribution_kind = 'base') as base_score,
        coalesce(sum(contribution) filter (where contribution_kind = 'record'), 0) as record_points,
        coalesce(sum(contribution) filter (where contribution_kind = 'indicator_cap'), 0) as indicator_cap_adjustment,
        coalesce(sum(contribution) filter (where contribution_kind = 'score_bounds'), 0) as bounds_adjustment,
        coalesce(sum(contribution) filter (where contribution_kind = 'grade_cap'), 0) as cap_adjustment,
        min(cap_key) filter (where contribution_kind = 'grade_cap') as cap_key,
        min(department_code) filter (where contribution_kind = 'base') as department_code,
        count(*) filter (where contribution_kind = 'record') as counted_records,
        count(*) filter (where contribution_kind = 'record' and contribution < 0) as negative_records,
        count(*) filter (where contribution_kind = 'record' and contribution > 0) as positive_records,
        min(rated_as_of) as rated_as_of,
        min(reference_date) as reference_date,
        min(config_hash) as config_hash,
        min(rated_at) as rated_at
    from batch
    group by subject_id

),

serious as (

    -- on the serious-dishonesty list: an entry in force in the list engine
    select entries.subject_id,
           jsonb_agg(entries.entry_id order by entries.effective_date, entries.entry_id) as entry_ids,
           jsonb_agg(entries.trigger_record_key order by entries.effective_date, entries.entry_id) as record_keys
    from ({{ serious_list_entries() }}) as entries
    {% if not everyone %}
    where entries.subject_id = any(array(select subject_id from totals))
    {% endif %}
    group by entries.subject_id

)

select
    totals.subject_id::text as subject_id,
    totals.score::numeric as score,
    band.grade::text as grade,
    band.name_zh::text as grade_name_zh,
    band.grade_rank::integer as grade_rank,
    totals.base_score::numeric as base_score,
    totals.record_points::numeric as record_points,
    totals.indicator_cap_adjustment::numeric as indicator_cap_adjustment,
    totals.bounds_adjustment::numeric as bounds_adjustment,
    totals.cap_adjustment::numeric as cap_adjustment,
    (totals.score - totals.cap_adjustment)::numeric as uncapped_score,
    totals.cap_key::text as cap_key,
    caps.name_zh::text as cap_name_zh,
    caps.max_grade::text as cap_max_grade,
    caps.max_score::numeric as cap_max_score,
    (serious.subject_id is not null)::boolean as is_serious_listed,
    serious.entry_ids::jsonb as serious_list_entry_ids,
    serious.record_keys::jsonb as serious_list_record_keys,
    totals.department_code::text as department_code,
    totals.counted_records::integer as counted_records,
    totals.negative_records::integer as negative_records,
    totals.positive_records::integer as positive_records,
    coalesce(dimension_json.dimension_points, '{}'::jsonb) as dimension_points,
    coalesce(indicator_json.indicator_points, '{}'::jsonb) as indicator_points,
    model.model_key::text as model_key,
    model.model_version::text as model_version,
    totals.config_hash::text as config_hash,
    totals.rated_as_of::date as rated_as_of,
    totals.reference_date::date as reference_date,
    totals.rated_at::timestamptz as rated_at
from totals
cross join model
left join lateral (
    select bands.grade, bands.name_zh, bands.grade_rank
    from bands
    where totals.score >= bands.min_score
    order by bands.min_score desc
    limit 1
) as band on true
left join caps using (cap_key)
left join serious using (subject_id)
left join dimension_json using (subject_id)
left join indicator_json using (subject_id)
