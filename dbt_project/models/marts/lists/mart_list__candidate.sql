-- Everything a list rule can match, on one shape: every version of every credit record
-- (core.fct_credit_record) and the lifecycle events (mart_lifecycle__list_event: broken
-- commitments, overdue rectification). Versions matter: an entry starts from the first version
-- that matched and is withdrawn when a correction no longer matches (or the record is revoked).
{# analyze: mart_list__trigger reads this table before autovacuum would have analysed it #}
{{ config(indexes=[
    {'columns': ['record_type', 'subject_id']},
], post_hook=["analyze {{ this }}"]) }}

select
    fct.record_key,
    fct.record_version_id,
    fct.version_number,
    fct.is_current_version,
    fct.superseded_at,
    fct.lifecycle_status,
    fct.subject_id,
    fct.subject_name,
    fct.subject_category,
    fct.subject_kind,
    fct.uscc,
    fct.feed_key,
    fct.sector_slug,
    fct.record_type,
    fct.information_category,
    fct.polarity,
    fct.severity,
    {{ penalty_type_array('fct.penalty_types') }} as penalty_type_list,
    fct.details,
    fct.details ->> 'list_action' as list_action,
    -- a departmental listing's own date: 列入日期 when the feed has it, else the decision date
    coalesce(nullif(fct.details ->> 'listing_date', '')::date, fct.decision_date) as record_date,
    fct.decision_number,
    fct.decision_date,
    fct.authority_name,
    fct.authority_uscc,
    -- the record's own end (term 'record'): a ban's end date; a permanent ban has none
    case
        when fct.details ->> 'is_permanent' = '是' then null
        else coalesce(nullif(fct.details ->> 'ban_end_date', '')::date, fct.valid_until)
    end as record_end_date,
    coalesce(fct.is_publishable_kind, true) as is_publishable_kind,
    fct.load_id,
    true as is_credit_record
from {{ ref('fct_credit_record') }} as fct
where fct.subject_id is not null

union all

select
    e.record_key,
    e.record_key as record_version_id,
    1 as version_number,
    true as is_current_version,
    null::timestamptz as superseded_at,
    'active' as lifecycle_status,
    e.subject_id,
    e.subject_name,
    null::text as subject_category,
    null::text as subject_kind,
    null::text as uscc,
    'credit_platform__' || e.record_type as feed_key,
    e.sector_slug,
    e.record_type,
    null::text as information_category,
    'negative'::text as polarity,
    'general'::text as severity,
    array[]::text[] as penalty_type_list,
    '{}'::jsonb as details,
    null::text as list_action,
    e.decision_date as record_date,
    e.decision_number,
    e.decision_date,
    e.authority_name,
    e.authority_uscc,
    null::date as record_end_date,
    true as is_publishable_kind,
    e.load_id,
    false as is_credit_record
from {{ ref('mart_lifecycle__list_event') }} as e
where e.subject_id is not null and e.decision_date is not null
