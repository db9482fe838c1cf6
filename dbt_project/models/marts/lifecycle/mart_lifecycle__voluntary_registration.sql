-- Voluntarily registered credit information (自愿注册), one row per registration: qualifications,
-- contract performance, public welfare, honours, with the written commitment to their truth.
-- Counts in the archive and the evaluation only when a department verified it and the commitment
-- was made (config/lifecycle.yaml voluntary_registration); otherwise shown with its status and
-- counted for nothing.
with rows as (

    select * from {{ ref('int_gate__credit_platform__voluntary_registration') }}
    where not is_quarantined

),

latest as (

    {{ latest_case_row('rows', "case verification_status when '待核实' then 1 else 2 end",
                       'coalesce(verified_date, decision_date)') }}

)

select
    md5(concat_ws('|', 'voluntary', latest.decision_number, latest.authority_uscc)) as registration_id,
    latest.decision_number as registration_number,
    {{ platform_subject_id('latest') }} as subject_id,
    latest.subject_name,
    latest.subject_category,
    case when latest.uscc__status = 'valid' then latest.uscc end as uscc,
    latest.decision_date as registered_date,
    latest.info_type,
    latest.info_title,
    latest.info_content,
    latest.truth_commitment = '是' as has_truth_commitment,
    latest.verification_status,
    latest.verifying_department,
    latest.verified_date,
    latest.valid_until,
    latest.authority_name as registering_authority,
    latest.verification_status = {{ lifecycle_setting('voluntary_registration.counted_status', 'text') }}
        and (latest.truth_commitment = '是'
             or not {{ lifecycle_setting('voluntary_registration.requires_truth_commitment', 'boolean') }})
        as counts_in_evaluation,
    case
        when latest.verification_status = '已核实' and latest.truth_commitment = '是' then 'verified'
        when latest.verification_status = '已核实' then 'verified_without_truth_commitment'
        when latest.verification_status = '核实不符' then 'verification_failed'
        else 'unverified'
    end as display_status,
    latest.load_id as latest_load_id
from latest
{{ platform_subject_joins('latest') }}
where {{ platform_subject_id('latest') }} is not null
