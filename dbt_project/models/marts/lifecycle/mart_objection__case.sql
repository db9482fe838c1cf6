-- Objections to credit records (异议, REFERENCE §6), one row per objection: the record objected
-- to (decision number + deciding authority → record_key), its timeline submitted → accepted or
-- rejected → verified → corrected or kept, and the working-day deadline of every stage
-- (config/lifecycle.yaml objection.*) with whether the stage was late. Date-independent: what is
-- open on a date is mart_objection__open_records. A correction itself arrives from the department
-- as a new version of the record (core.fct_credit_record keeps both versions).
{{ config(indexes=[
    {'columns': ['record_key']},
]) }}

with rows as (

    select * from {{ ref('int_gate__credit_platform__credit_objection') }}
    where not is_quarantined

),

timeline as (

    select
        decision_number,
        authority_uscc,
        min(decision_date) as submitted_on_form,
        min(status_date) filter (where objection_status = '已提交') as submitted_date,
        min(status_date) filter (where objection_status = '已受理') as accepted_date,
        min(status_date) filter (where objection_status = '不予受理') as rejected_date,
        min(status_date) filter (where objection_status = '已核实') as verified_date,
        min(status_date) filter (where objection_status = '已更正') as corrected_date,
        min(status_date) filter (where objection_status = '维持') as kept_date,
        count(*) as rows_received,
        max(load_id) as latest_load_id
    from rows
    group by decision_number, authority_uscc

),

latest as (

    {{ latest_case_row('rows',
        "case objection_status when '已提交' then 1 when '已受理' then 2 when '不予受理' then 2
                               when '已核实' then 3 when '已更正' then 4 when '维持' then 4 end",
        'status_date') }}

),

target as (

    select distinct on (latest.decision_number, latest.authority_uscc)
        latest.decision_number, latest.authority_uscc,
        fct.record_key, fct.subject_id, fct.feed_key, fct.sector_slug, fct.record_type,
        fct.decision_date as record_decision_date
    from latest
    join {{ ref('fct_credit_record') }} as fct
      on fct.decision_number = latest.target_decision_number
     and fct.authority_uscc = latest.target_authority_uscc
     and fct.is_current_version
    order by latest.decision_number, latest.authority_uscc, fct.feed_key

),

dated as (

    select
        latest.*,
        timeline.submitted_on_form,
        coalesce(timeline.submitted_date, timeline.submitted_on_form) as submitted_date,
        timeline.accepted_date,
        timeline.rejected_date,
        timeline.verified_date,
        timeline.corrected_date,
        timeline.kept_date,
        timeline.rows_received,
        timeline.latest_load_id,
        target.record_key,
        coalesce(target.subject_id, {{ platform_subject_id('latest') }}) as case_subject_id,
        target.feed_key as record_feed_key,
        target.sector_slug as record_sector_slug,
        target.record_type as record_type,
        target.record_decision_date
    from latest
    join timeline using (decision_number, authority_uscc)
    left join target using (decision_number, authority_uscc)
    {{ platform_subject_joins('latest') }}

),

deadlines as (

    select
        dated.*,
        coalesce(rejected_date, corrected_date, kept_date) as closed_date,
        {{ add_workdays('submitted_date', lifecycle_setting('objection.accept_within_working_days')) }} as accept_due_date,
        {{ add_workdays('accepted_date', lifecycle_setting('objection.verify_within_working_days')) }} as verify_due_date,
        {{ add_workdays('verified_date', lifecycle_setting('objection.close_within_working_days')) }} as close_due_date
    from dated

)

select
    md5(concat_ws('|', 'objection', decision_number, authority_uscc)) as objection_id,
    decision_number as objection_number,
    authority_name as accepting_authority,
    case_subject_id as subject_id,
    subject_name as objector_name,
    record_key,
    target_decision_number as record_decision_number,
    target_authority_name as record_authority_name,
    target_authority_uscc as record_authority_uscc,
    record_feed_key,
    record_sector_slug,
    record_type,
    record_decision_date,
    objection_reason,
    submitted_date,
    accepted_date,
    rejected_date,
    verified_date,
    corrected_date,
    kept_date,
    closed_date,
    case
        when corrected_date is not null then 'corrected'
        when kept_date is not null then 'kept'
        when rejected_date is not null then 'rejected'
    end as outcome,
    -- the latest state received (English: submitted, accepted, rejected, verified, corrected, kept)
    case objection_status
        when '已提交' then 'submitted' when '已受理' then 'accepted' when '不予受理' then 'rejected'
        when '已核实' then 'verified' when '已更正' then 'corrected' when '维持' then 'kept'
    end as latest_state,
    handling_result,
    accept_due_date,
    verify_due_date,
    close_due_date,
    coalesce(accepted_date, rejected_date) > accept_due_date as was_accept_late,
    verified_date > verify_due_date as was_verify_late,
    coalesce(corrected_date, kept_date) > close_due_date as was_close_late,
    rows_received,
    latest_load_id
from deadlines
