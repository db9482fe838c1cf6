-- Credit commitments (信用承诺) and their fulfilment, one row per commitment: the platform's
-- commitments with conditions and due dates (告知承诺, 容缺受理 …), and the sectors' own commitment
-- records (config/lifecycle.yaml commitments.sector_record_types; no due date). A commitment is
-- broken when a department reports it 未履行 — on that report's date — and fulfilled when
-- reported 已履行; otherwise it is open (overdue once past its due date, judged as of a date in
-- mart_lifecycle__commitment_status). A broken commitment becomes a negative record
-- (mart_lifecycle__archive_record) and may list the subject (list rule KA_BROKEN_COMMITMENT).
{% set reported_on -%}
    case when fct.version_number > 1 then greatest(fct.decision_date, fct.received_at::date) else fct.decision_date end
{%- endset %}

with rows as (

    select * from {{ ref('int_gate__credit_platform__credit_commitment') }}
    where not is_quarantined

),

dated as (

    select
        decision_number, authority_uscc,
        min(decision_date) as made_date,
        min(status_date) filter (where commitment_status = '已履行') as fulfilled_date,
        min(status_date) filter (where commitment_status = '未履行') as broken_date,
        count(*) as rows_received
    from rows
    group by decision_number, authority_uscc

),

latest as (

    {{ latest_case_row('rows', "case commitment_status when '履行中' then 1 else 2 end", 'status_date') }}

),

platform as (

    select
        md5(concat_ws('|', 'commitment', latest.decision_number, latest.authority_uscc)) as commitment_id,
        'credit_platform'::text as source,
        latest.decision_number as commitment_number,
        {{ platform_subject_id('latest') }} as subject_id,
        latest.subject_name,
        latest.subject_category,
        case when latest.uscc__status = 'valid' then latest.uscc end as uscc,
        latest.commitment_type,
        latest.related_matter,
        latest.commitment_content,
        latest.commitment_conditions,
        dated.made_date,
        latest.due_date,
        latest.authority_name,
        latest.authority_uscc,
        -- the sector of the accepting authority, when it is one sector's department
        (select d.sector_slug from {{ ref('ref_lifecycle_department') }} as d
         where d.department_uscc = latest.authority_uscc) as sector_slug,
        latest.commitment_status as latest_status,
        dated.fulfilled_date,
        dated.broken_date,
        latest.breach_description,
        null::text as record_key,
        latest.load_id as latest_load_id
    from latest
    join dated using (decision_number, authority_uscc)
    {{ platform_subject_joins('latest') }}

),

sector_records as (

    select
        md5(concat_ws('|', 'commitment', fct.record_key)) as commitment_id,
        fct.feed_key as source,
        fct.decision_number as commitment_number,
        fct.subject_id,
        fct.subject_name,
        fct.subject_category,
        fct.uscc,
        null::text as commitment_type,
        fct.record_type as related_matter,
        fct.details ->> 'commitment_content' as commitment_content,
        null::text as commitment_conditions,
        fct.decision_date as made_date,
        fct.valid_until as due_date,
        fct.authority_name,
        fct.authority_uscc,
        fct.sector_slug,
        fct.details ->> 'commitment_status' as latest_status,
        -- reported by this record; a later version (the same commitment re-sent with a new status)
        -- reports it on the day it arrived
        case when fct.details ->> 'commitment_status' = '已履行' then {{ reported_on }} end as fulfilled_date,
        case when fct.details ->> 'commitment_status' = '未履行' then {{ reported_on }} end as broken_date,
        null::text as breach_description,
        fct.record_key,
        fct.load_id as latest_load_id
    from {{ ref('fct_credit_record') }} as fct
    where fct.is_current_version
      and fct.lifecycle_status = 'active'
      and fct.subject_id is not null
      and fct.record_type = any({{ seed_list("(select value from " ~ ref('ref_lifecycle_setting') ~ " where setting = 'commitments.sector_record_types')") }})

)

select
    commitments.*,
    case
        when broken_date is not null then 'broken'
        when fulfilled_date is not null then 'fulfilled'
        else 'open'
    end as outcome
from (
    select * from platform
    union all
    select * from sector_records
) as commitments
where subject_id is not null
