-- The unified credit record over all 20 sectors: one row per version of a decision. A decision is
-- (feed, decision number, deciding authority); a re-send that changes anything is a new version
-- (a correction, or a revocation when a licence comes back 无效), an identical re-send is not.
-- Earlier versions are kept, marked corrected. Quarantined rows never get here.
--
-- Incremental: a run rebuilds only the decisions it touches — those with rows in new loads, and
-- those whose subject resolution changed — replacing all their versions at once (delete+insert
-- on record_key), so a daily run costs what the day's decisions cost and a full refresh yields
-- the same rows. Nothing here depends on the build date: expiry is decided as of a date in
-- marts.mart_archive__record, with repair and objections from the lifecycle marts.
-- enable_mergejoin off: the planner cannot know how few decisions a run touches, and a merge join
-- sorts every record to find them where a hash join on the touched keys reads each record once;
-- no parallel workers, which would each compute the touched decisions again. The primary key
-- covers the subject columns, so the resolution check reads the index, not the table.
-- The category dimension is declared as a parent so that the relationships test between the two
-- is "buildable" in the step that builds this model (Dagster runs dbt tests only in the step that
-- builds the last of a test's parents; without this the test would never be selected):
-- depends_on: {{ ref('dim_information_category') }}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='record_key',
    on_schema_change='append_new_columns',
    pre_hook=["set local enable_mergejoin = off", "set local max_parallel_workers_per_gather = 0"],
    post_hook=[
        "create unique index if not exists {{ this.name }}_pk on {{ this }} (record_version_id) include (subject_id, match_method)",
        "create index if not exists {{ this.name }}_key_idx on {{ this }} (record_key)",
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_load_idx on {{ this }} (load_id)",
        "create index if not exists {{ this.name }}_built_idx on {{ this }} (built_at)",
    ],
) }}

-- not materialized: each use filters before the fingerprinting, so an incremental run reads the
-- touched decisions' rows, not a copy of every record
with resolved as not materialized (

    select
        md5(concat_ws('|', feed_key, decision_number, authority_uscc)) as record_key,
        resolved.*
    from {{ ref('int_records__resolved') }} as resolved
    where not is_quarantined

),

{% if is_incremental() %}
touched as (

    -- one pass over the records: decisions with rows from loads this model has not seen, and
    -- decisions whose subject resolution moved since they were built
    select distinct resolved.record_key
    from resolved
    left join {{ this }} as fct on fct.record_version_id = resolved.record_row_id
    where {{ load_window('resolved.load_id') }}
       or (fct.record_version_id is not null
           and (resolved.subject_id is distinct from fct.subject_id
                or resolved.resolution_method is distinct from fct.match_method))

),

scoped as (

    select resolved.*
    from resolved
    join touched using (record_key)

),
{% else %}
scoped as (

    select * from resolved

),
{% endif %}

feeds as (

    select * from {{ ref('ref_feed') }}

),

publication_windows as (

    {{ publication_window_table() }}

),

publication_eras as (

    {{ publication_rule_eras() }}

),

fingerprinted as (

    select
        scoped.*,
        -- what a version is made of; an identical re-send has the same fingerprint
        md5(concat_ws('|', subject_name, subject_category, uscc, registration_number, org_code,
                      id_number_hash, decision_date, valid_from, valid_until, penalty_types,
                      misconduct_severity, violation_type, fine_wan_yuan, confiscated_wan_yuan,
                      amount_wan_yuan, record_content, details::text)) as version_fingerprint
    from scoped

),

arrivals as (

    select
        fingerprinted.*,
        lag(version_fingerprint) over arrival_order as previous_fingerprint
    from fingerprinted
    window arrival_order as (partition by record_key order by received_at, load_id, source_row_number)

),

versions as (

    -- a row starts a version when it differs from the row received just before it (so A, B, A
    -- is three versions: the last word counts)
    select
        arrivals.*,
        row_number() over arrival_order as version_number,
        count(*) over (partition by record_key) as version_count,
        lead(received_at) over arrival_order as superseded_at
    from arrivals
    where previous_fingerprint is distinct from version_fingerprint
    window arrival_order as (partition by record_key order by received_at, load_id, source_row_number)

),

classified as (

    select
        versions.*,
        feeds.act_kind,
        feeds.information_category,
        feeds.polarity,
        feeds.department_code,
        case
            when feeds.polarity <> 'negative' then null
            when versions.misconduct_severity = '轻微' then 'minor'
            when versions.misconduct_severity = '严重' then 'serious'
            -- a serious-dishonesty listing is serious by definition
            when feeds.information_category = '严重失信主体名单信息' then 'serious'
            -- missing severity is judged 一般 (config/publication_rules.yaml: missing_severity)
            else 'general'
        end as severity,
        nullif(versions.valid_until, date '2099-12-31') as valid_until_date
    from versions
    join feeds using (feed_key)

),

windowed as (

    select
        classified.*,
        penalty.rule_code as penalty_rule_code,
        penalty.is_published as penalty_is_published,
        penalty.min_end_date as penalty_min_end_date,
        penalty.max_end_date as penalty_max_end_date
    from classified
    {{ publication_window_join(
        'penalty', 'classified.decision_date',
        "case classified.severity when 'minor' then '轻微' when 'serious' then '严重' when 'general' then '一般' end",
        'classified.penalty_types', 'classified.violation_type') }}

)

select
    -- keys
    record_row_id as record_version_id,
    record_key,
    version_number,
    version_number = version_count as is_current_version,
    version_fingerprint,

    -- subject
    subject_id,
    resolution_method as match_method,
    match_confidence,
    subject_kind,
    subject_name,
    subject_category,
    uscc,
    registration_number,
    org_code,
    id_type,
    id_number_hash,
    id_number_masked,
    legal_rep_name,
    legal_rep_id_number_masked,

    -- classification
    feed_key,
    sector_slug,
    record_type,
    act_kind,
    information_category,
    polarity,
    severity,
    department_code,

    -- the decision
    decision_number,
    decision_date,
    valid_from,
    valid_until_date as valid_until,
    authority_name,
    authority_uscc,
    source_department,
    source_department_uscc,
    penalty_types,
    violation_type,
    fine_wan_yuan,
    confiscated_wan_yuan,
    amount_wan_yuan,
    record_content,
    details,
    remarks,

    -- publication window: negative records by the rule in force on the decision date (REFERENCE
    -- §5), the others for as long as they are valid
    case when polarity = 'negative' then penalty_rule_code end as publication_rule,
    case when polarity = 'negative' then penalty_is_published else true end as is_publishable_kind,
    case when polarity = 'negative' then penalty_min_end_date end as publication_min_end_date,
    case when polarity = 'negative' then penalty_max_end_date else valid_until_date end as publication_max_end_date,

    -- lifecycle, independent of the date: corrected (a later version exists) or revoked (the
    -- department withdrew it). Repair and objections come from the platform's lifecycle marts,
    -- which read this table, so they are joined in marts.mart_archive__record.
    case
        when version_number < version_count then 'corrected'
        when details ->> 'licence_status' = '无效' then 'revoked'
        else 'active'
    end as lifecycle_status,
    superseded_at,
    -- when the archive learnt of this version (the snapshot dates later lifecycle events itself)
    received_at as record_changed_at,
    failed_rules as warning_rules,

    -- provenance: raw.<feed_key> where _load_id = load_id and _row_number = source_row_number
    load_id,
    source_name,
    source_row_number,
    content_hash,
    received_at,
    {{ dbt.current_timestamp() }} as built_at
from windowed
