-- Credit repair applications (信用修复, REFERENCE §5), one row per application, with the
-- platform's eligibility check and the outcome. Eligibility (config/lifecycle.yaml repair.require):
-- the record applied for is found (decision number + deciding authority, current version), its
-- minimum publication window by the rule in force on its decision date has passed on the
-- application date, the penalty was performed, a repair commitment was submitted. A repair is
-- granted when the handling department approved it (已修复) and the platform's check passes; an
-- approval that fails the check is kept as rejected_ineligible, for the department to review.
-- Date-independent; whether a pending application is overdue is judged in
-- mart_repair__application_status.
{{ config(indexes=[
    {'columns': ['record_key']},
]) }}

with rows as (

    select * from {{ ref('int_gate__credit_platform__credit_repair_application') }}
    where not is_quarantined

),

latest as (

    {{ latest_case_row('rows',
        "case repair_status when '已申请' then 1 when '已修复' then 2 when '不予修复' then 2 end",
        'coalesce(handled_date, decision_date)') }}

),

first_seen as (

    select decision_number, authority_uscc, min(decision_date) as application_date, min(received_at) as received_at,
           count(*) as rows_received
    from rows
    group by decision_number, authority_uscc

),

target as (

    select distinct on (latest.decision_number, latest.authority_uscc)
        latest.decision_number, latest.authority_uscc,
        fct.record_key, fct.subject_id, fct.subject_name, fct.feed_key, fct.sector_slug, fct.record_type,
        fct.decision_date as record_decision_date, fct.severity, fct.polarity, fct.is_publishable_kind,
        fct.publication_rule, fct.publication_min_end_date, fct.publication_max_end_date
    from latest
    join {{ ref('fct_credit_record') }} as fct
      on fct.decision_number = latest.target_decision_number
     and fct.authority_uscc = latest.target_authority_uscc
     and fct.is_current_version
    order by latest.decision_number, latest.authority_uscc, fct.feed_key

),

checked as (

    select
        latest.*,
        first_seen.application_date,
        first_seen.rows_received,
        target.record_key,
        coalesce(target.subject_id, {{ platform_subject_id('latest') }}) as subject_id,
        target.subject_name as record_subject_name,
        target.feed_key as record_feed_key,
        target.sector_slug as record_sector_slug,
        target.record_type as record_type,
        target.record_decision_date,
        target.severity as record_severity,
        target.publication_rule,
        target.publication_min_end_date,
        target.publication_max_end_date,
        array_remove(array[
            case when target.record_key is null then 'target_found' end,
            case when target.record_key is not null and target.publication_min_end_date is not null
                      and first_seen.application_date < target.publication_min_end_date then 'window_passed' end,
            case when latest.penalty_performed is distinct from '是' then 'penalty_performed' end,
            case when latest.commitment_submitted is distinct from '是' then 'commitment_submitted' end
        ]::text[], null) as failed_all
    from latest
    join first_seen using (decision_number, authority_uscc)
    left join target using (decision_number, authority_uscc)
    {{ platform_subject_joins('latest') }}

)

,

required as (

    select {{ seed_list('value') }} as conditions
    from {{ ref('ref_lifecycle_setting') }} where setting = 'repair.require'

),

judged as (

    select
        checked.*,
        array(select c from unnest(checked.failed_all) as c where c = any(required.conditions)) as failed_conditions
    from checked cross join required

)

select
    md5(concat_ws('|', 'repair', decision_number, authority_uscc)) as application_id,
    decision_number as application_number,
    application_date,
    authority_name as accepting_authority,
    subject_id,
    subject_name as applicant_name,
    record_key,
    target_decision_number as record_decision_number,
    target_authority_name as record_authority_name,
    target_authority_uscc as record_authority_uscc,
    target_kind as record_kind,
    record_feed_key,
    record_sector_slug,
    record_type,
    record_decision_date,
    record_severity,
    publication_rule,
    publication_min_end_date,
    publication_max_end_date,
    penalty_performed = '是' as is_penalty_performed,
    commitment_submitted = '是' as is_commitment_submitted,
    training_completed = '是' as is_training_completed,
    failed_conditions,
    cardinality(failed_conditions) = 0 as is_eligible,
    repair_status as department_status,
    handled_date,
    handling_opinion,
    {{ add_workdays('application_date', lifecycle_setting('repair.decide_within_working_days')) }} as decision_due_date,
    case
        when repair_status = '已修复' and cardinality(failed_conditions) = 0 then 'granted'
        when repair_status = '已修复' then 'rejected_ineligible'
        when repair_status = '不予修复' then 'rejected'
        else 'pending'
    end as outcome,
    case when repair_status = '已修复' and cardinality(failed_conditions) = 0 then handled_date end as repaired_date,
    rows_received,
    load_id as latest_load_id,
    received_at as latest_received_at
from judged
