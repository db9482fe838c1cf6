-- What the post-event lifecycle adds to a subject's credit archive, as of the build date (var
-- as_of_date, else the day it is read), on a shape core.fct_credit_record / the ratings can union:
--   broken_commitment       negative · 信用承诺及履行情况信息 (a commitment reported 未履行)
--   commitment_fulfilled    positive · 信用承诺及履行情况信息 (a commitment reported 已履行)
--   rectification_overdue   negative · config rectification.escalation_record (deadline missed)
--   interview_rectification neutral  · 行政管理信息 (the interview / order itself)
--   voluntary_registration  positive · 市场主体自愿提供的信用信息; counts_in_evaluation only when
--                           verified with a truth commitment (unverified ones are shown, not counted)
-- Only what has happened by that date; negative ones carry a publication end date
-- (config/lifecycle.yaml *.publication_months).
{{ config(materialized='view') }}

with events as (

    select
        md5('broken_commitment|' || c.commitment_id) as record_key,
        'broken_commitment'::text as record_type,
        c.subject_id, c.subject_name, c.uscc, coalesce(c.sector_slug, 'credit_platform') as sector_slug,
        {{ lifecycle_setting('commitments.broken_record.category', 'text') }} as information_category,
        'negative'::text as polarity,
        {{ lifecycle_setting('commitments.broken_record.severity', 'text') }} as severity,
        c.commitment_number as decision_number, c.broken_date as decision_date,
        c.authority_name, c.authority_uscc,
        coalesce(c.breach_description, '未履行信用承诺') || '（承诺事项：' || coalesce(c.related_matter, '') || '）' as record_content,
        (c.broken_date + make_interval(months => {{ lifecycle_setting('commitments.broken_record.publication_months') }}))::date - 1
            as publication_max_end_date,
        true as counts_in_evaluation,
        null::text as verification_status,
        c.commitment_id as source_id,
        'mart_lifecycle__commitment'::text as source_model
    from {{ ref('mart_lifecycle__commitment') }} as c
    where c.outcome = 'broken'

    union all

    select
        md5('commitment_fulfilled|' || c.commitment_id), 'commitment_fulfilled',
        c.subject_id, c.subject_name, c.uscc, coalesce(c.sector_slug, 'credit_platform'),
        '信用承诺及履行情况信息', 'positive', null,
        c.commitment_number, c.fulfilled_date, c.authority_name, c.authority_uscc,
        '按期履行信用承诺（承诺事项：' || coalesce(c.related_matter, '') || '）',
        null::date, true, null, c.commitment_id, 'mart_lifecycle__commitment'
    from {{ ref('mart_lifecycle__commitment') }} as c
    where c.outcome = 'fulfilled'

    union all

    select
        md5('rectification_overdue|' || r.order_id), 'rectification_overdue',
        r.subject_id, r.subject_name, r.uscc, coalesce(r.sector_slug, 'credit_platform'),
        {{ lifecycle_setting('rectification.escalation_record.category', 'text') }}, 'negative',
        {{ lifecycle_setting('rectification.escalation_record.severity', 'text') }},
        r.document_number, r.escalation_date, r.authority_name, r.authority_uscc,
        '逾期未完成整改（整改期限 ' || r.rectification_deadline || '）：' || r.measure_reason,
        (r.escalation_date + make_interval(months => {{ lifecycle_setting('rectification.escalation_record.publication_months') }}))::date - 1,
        true, null, r.order_id, 'mart_lifecycle__rectification'
    from {{ ref('mart_lifecycle__rectification') }} as r
    where r.escalation_date is not null

    union all

    select
        md5('interview_rectification|' || r.order_id), 'interview_rectification',
        r.subject_id, r.subject_name, r.uscc, coalesce(r.sector_slug, 'credit_platform'),
        '行政管理信息', 'neutral', null,
        r.document_number, r.measure_date, r.authority_name, r.authority_uscc,
        r.measure || '：' || r.measure_reason
            || coalesce('（整改期限 ' || r.rectification_deadline || '）', ''),
        null::date, true, null, r.order_id, 'mart_lifecycle__rectification'
    from {{ ref('mart_lifecycle__rectification') }} as r

    union all

    select
        md5('voluntary_registration|' || v.registration_id), 'voluntary_registration',
        v.subject_id, v.subject_name, v.uscc, 'credit_platform',
        '市场主体自愿提供的信用信息', 'positive', null,
        v.registration_number, v.registered_date, v.registering_authority, null,
        v.info_type || '：' || v.info_title,
        v.valid_until, v.counts_in_evaluation, v.verification_status, v.registration_id,
        'mart_lifecycle__voluntary_registration'
    from {{ ref('mart_lifecycle__voluntary_registration') }} as v

)

select
    events.*,
    {{ as_of_date() }} as status_as_of_date,
    case
        when events.publication_max_end_date is not null and events.publication_max_end_date < {{ as_of_date() }} then 'expired'
        else 'active'
    end as record_status
from events
where events.decision_date is not null
  and events.decision_date <= {{ as_of_date() }}
