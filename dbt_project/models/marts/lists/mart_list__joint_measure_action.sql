-- One-click joint rewards and punishments (一键奖惩): the actions the departments should have
-- received as of the build date — for every list entry in force, each measure of its list
-- (config/measures.yaml, seed ref_joint_measure) to impose; for every entry that has ended, each
-- to lift. action_key is the idempotency key of the delivery (credit/lifecycle/outbox.py copies
-- new actions into lifecycle.joint_measure_outbox and delivers them exactly once; a lift is only
-- sent for a measure whose impose was sent).
{{ config(materialized='view') }}

with entries as (

    select * from {{ ref('mart_list__entry_status') }}
    where status not in ('pending', 'notice', 'withdrawn')

)

select
    md5(concat_ws('|', entries.entry_id, measure.measure_code, action.action)) as action_key,
    md5(concat_ws('|', entries.entry_id, measure.measure_code, 'impose')) as impose_action_key,
    action.action,
    case when action.action = 'impose' then entries.effective_date
         else {{ list_entry_ended_date('entries') }} end as action_date,
    entries.entry_id,
    entries.list_type,
    entries.list_name_zh,
    entries.rule_code,
    entries.rule_name_zh,
    entries.legal_basis,
    entries.subject_id,
    entries.subject_name,
    entries.uscc,
    entries.trigger_decision_number,
    entries.trigger_authority_name,
    entries.effective_date,
    entries.planned_end_date,
    entries.status as entry_status,
    measure.measure_code,
    measure.measure_kind,
    measure.measure_name_zh,
    measure.legal_basis as measure_basis,
    measure.department_code,
    measure.department_name_zh,
    entries.status_as_of_date
from entries
join {{ ref('ref_joint_measure') }} as measure on measure.list_type = entries.list_type
cross join lateral (
    select 'impose'::text as action where entries.status = 'active'
    union all
    select 'lift' where entries.status <> 'active'
) as action
