-- The unified credit record over all 20 sectors: one row per version of a decision (a correction
-- re-sent under the same decision number is a new version; an identical re-send is not).
-- Quarantined rows never get here; they wait in int_quality__quarantine for the department.
{{ config(post_hook=[
    "create unique index if not exists {{ this.name }}_pk on {{ this }} (record_version_id)",
    "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id) where is_current_version",
    "create index if not exists {{ this.name }}_key_idx on {{ this }} (record_key)",
]) }}

with resolved as (

    select * from {{ ref('int_records__resolved') }}
    where not is_quarantined

),

feeds as (

    select * from {{ ref('ref_feed') }}

),

rules as (

    select * from {{ ref('publication_window_rules') }}

),

fingerprinted as (

    select
        resolved.*,
        md5(concat_ws('|', feed_key, decision_number, authority_uscc)) as record_key,
        -- what a version is made of; an identical re-send has the same fingerprint
        md5(concat_ws('|', subject_name, subject_category, uscc, registration_number, org_code,
                      id_number_hash, decision_date, valid_from, valid_until, penalty_types,
                      misconduct_severity, violation_type, fine_wan_yuan, confiscated_wan_yuan,
                      amount_wan_yuan, record_content, details::text)) as version_fingerprint
    from resolved

),

versions as (

    -- the first arrival of each distinct version
    select distinct on (record_key, version_fingerprint) *
    from fingerprinted
    order by record_key, version_fingerprint, received_at, load_id, source_row_number

),

numbered as (

    select
        versions.*,
        row_number() over (partition by record_key order by received_at, load_id, source_row_number) as version_number,
        count(*) over (partition by record_key) as version_count
    from versions

),

classified as (

    select
        numbered.*,
        feeds.act_kind,
        feeds.information_category,
        feeds.polarity,
        feeds.department_code,
        case
            when feeds.polarity <> 'negative' then null
            when numbered.misconduct_severity = '轻微' then 'minor'
            when numbered.misconduct_severity = '严重' then 'serious'
            when feeds.information_category = '严重失信主体名单信息' then 'serious'
            else 'general'
        end as severity,
        nullif(numbered.valid_until, date '2099-12-31') as valid_until_date
    from numbered
    join feeds using (feed_key)

),

windowed as (

    select
        classified.*,
        rules.rule_code as publication_rule,
        case
            when classified.polarity <> 'negative' then true
            -- a penalty that is only a warning is not published
            when classified.penalty_types = '警告' then false
            else rules.max_months is not null
        end as is_publishable_kind,
        case when classified.polarity = 'negative' then
            classified.decision_date + make_interval(months => coalesce(
                case when rules.special_keywords is not null
                      and classified.violation_type ~ replace(rules.special_keywords, '|', '|')
                     then rules.special_min_months end,
                rules.min_months))
        end::date as publication_min_end_date,
        case when classified.polarity = 'negative'
             then (classified.decision_date + make_interval(months => rules.max_months))::date
             else classified.valid_until_date
        end as publication_max_end_date
    from classified
    left join lateral (
        -- the rule in force on the decision date; decisions before the first era take the first
        select * from rules r
        where r.severity = case classified.severity when 'minor' then '轻微' when 'serious' then '严重' else '一般' end
          and (classified.decision_date between r.valid_from and coalesce(r.valid_to, date '9999-12-31')
               or (classified.decision_date < r.valid_from
                   and r.valid_from = (select min(valid_from) from rules)))
        order by r.valid_from
        limit 1
    ) rules on true

)

select
    record_version_id,
    record_key,
    version_number,
    version_number = version_count as is_current_version,
    subject_id,
    resolution_method as match_method,
    match_confidence,
    feed_key,
    sector_slug,
    record_type,
    act_kind,
    information_category,
    polarity,
    severity,
    department_code,
    subject_name,
    subject_category,
    subject_kind,
    uscc,
    id_number_hash,
    id_number_masked,
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
    publication_rule,
    publication_min_end_date,
    publication_max_end_date,
    case
        when version_number < version_count then 'corrected'
        when penalty_types is null and details ->> 'licence_status' = '无效' then 'revoked'
        when publication_max_end_date is not null and publication_max_end_date < {{ as_of_date() }} then 'expired'
        else 'active'
    end as record_status,
    is_publishable_kind,
    failed_rules as warning_rules,
    -- provenance back to the raw row
    load_id,
    source_name,
    source_row_number,
    content_hash,
    received_at
from (select windowed.*, record_row_id as record_version_id from windowed) as final
