-- The sector grades departments send (tax credit A/B/M/C/D, environmental credit colours, road-
-- transport reputation AAA–B, social-organisation 1A–5A, labour-security A–C, association ratings):
-- each subject's latest grade per sector model (config/rating_model.yaml: sector_models), mapped to
-- the common scale (common score 0–100; its grade is the grade of common score × 10). Only counted
-- records younger than the model's max_age_years at the rating cycle's reference date, like decay,
-- so a grade never ages out between two re-gradings. The same macro gives the evaluation dimension
-- of the public score its points (marts.mart_rating__contribution); the sector ratings combine
-- these grades with the public score.
--
-- Incremental with the public evaluation: the subjects re-rated in this run (rated_at after the
-- newest one here) are rebuilt. A subject in that batch without any sector grade keeps one row with
-- model_key null, so that its earlier grades are replaced; consumers read rows with a model_key.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='subject_id',
    on_schema_change='sync_all_columns',
    pre_hook="set local work_mem = '256MB'",
    post_hook=[
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_rated_idx on {{ this }} (rated_at)",
        "delete from {{ this }} as g where not exists (select 1 from {{ ref('dim_credit_subject') }} as s where s.subject_id = g.subject_id)",
    ],
) }}

{#- When the public evaluation re-rated everyone in this run, rebuild everything (and skip the
    subject filter). -#}
{%- set everyone = not is_incremental() -%}
{%- set batch_ids = [] -%}
{%- if is_incremental() and execute -%}
    {%- set everyone = run_query(
        "select min(rated_at) = max(rated_at) and max(rated_at) > coalesce((select max(rated_at) from "
        ~ this ~ "), '-infinity'::timestamptz) from " ~ ref('mart_rating__current')).rows[0][0] -%}
    {%- if everyone -%}
        {%- do rating_empty_for_rebuild(this) -%}
    {%- else -%}
        {#- the few re-rated subjects, inlined: their records are read through the subject index -#}
        {%- set batch_ids = run_query(
            "select subject_id from " ~ ref('mart_rating__current') ~ " where rated_at > coalesce((select max(rated_at) from "
            ~ this ~ "), '-infinity'::timestamptz)").columns[0].values() -%}
    {%- endif -%}
{%- endif %}

with model as (

    select * from {{ ratings_source('ref_config', 'rating_model') }}

),

bands as (

    select * from {{ ratings_source('ref_config', 'rating_grade_band') }}

),

sector_models as (

    select * from {{ ratings_source('ref_config', 'sector_model') }}

),

grade_map as (

    select * from {{ ratings_source('ref_config', 'sector_grade_map') }}

),

dates as (

    select date_trunc(model.regrade_cycle, {{ as_of_date() }})::date as reference_date
    from model

),

batch as (

    select subject_id, rated_at
    from {{ ref('mart_rating__current') }}
    {% if not everyone %}
    where subject_id in (
        {%- for subject_id in batch_ids %}'{{ subject_id | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}
        {%- if not batch_ids %}null{% endif %})
    {% endif %}

),

counted as (

    -- sector-model feeds send no list actions: no removals to read
    {{ rating_counted_records(subjects=none if everyone else "select subject_id from batch",
                              feeds="select feed_key from sector_models", with_removals=false) }}

),

graded as (

    {{ rating_latest_sector_grades('counted') }}

)

select
    batch.subject_id::text as subject_id,
    graded.model_key::text as model_key,
    graded.model_name_zh::text as model_name_zh,
    graded.sector_slug::text as sector_slug,
    graded.feed_key::text as feed_key,
    graded.record_key::text as record_key,
    graded.record_version_id::text as record_version_id,
    graded.decision_date::date as decision_date,
    graded.evaluation_year::integer as evaluation_year,
    graded.source_grade::text as source_grade,
    graded.common_score::numeric as common_score,
    graded.common_grade::text as common_grade,
    graded.cap_grade::text as cap_grade,
    graded.cap_score::numeric as cap_score,
    coalesce(graded.is_mapped, false)::boolean as is_mapped,
    graded.received_at::timestamptz as received_at,
    graded.counts_until::date as counts_until,
    batch.rated_at::timestamptz as rated_at
from batch
left join graded using (subject_id)
