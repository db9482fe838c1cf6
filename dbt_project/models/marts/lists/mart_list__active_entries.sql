-- The list entries in force or in their prior-notice stage as of the build date, one row per entry:
-- what the pre-event credit check reads (pub.credit_check). Only is_vetoing entries veto (an
-- active serious-dishonesty listing); key-attention and red-list entries and entries still in
-- notice are reported without a veto (REFERENCE §6).
{{ config(materialized='view') }}

select
    entry_id, list_type, list_name_zh, rule_code, rule_name_zh, legal_basis, subject_id, subject_name,
    uscc, sector_slug, trigger_record_key, trigger_record_type, trigger_decision_number,
    trigger_authority_name, notice_date, response_deadline, effective_date, planned_end_date,
    early_exit_from, status, is_vetoing, veto_reason, is_disputed, status_as_of_date
from {{ ref('mart_list__entry_status') }}
where is_current
