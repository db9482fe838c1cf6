-- The published credit lists: every entry in force today (as of the build date) on a list that is
-- published (config/list_rules.yaml lists.*.published: the serious-dishonesty list and the red
-- list; the key-attention list is internal), with its rule, legal basis, the decision that
-- triggered it, and its term. Entries in their prior-notice stage are not published. Entries
-- triggered by a record appear only once the record's sector load is released by the quality gate.
{{ config(alias='list_entry', materialized='view') }}

select
    e.entry_id::text as entry_id,
    e.list_type::text as list_type,
    e.list_name_zh::text as list_name_zh,
    e.rule_code::text as rule_code,
    e.rule_name_zh::text as rule_name_zh,
    e.legal_basis::text as legal_basis,
    e.subject_id::text as subject_id,
    e.subject_name::text as subject_name,
    e.subject_kind::text as subject_kind,
    e.uscc::text as uscc,
    e.sector_slug::text as sector_slug,
    e.trigger_decision_number::text as decision_number,
    e.trigger_authority_name::text as authority_name,
    e.effective_date::date as effective_date,
    e.planned_end_date::date as planned_end_date,
    e.is_disputed::boolean as is_disputed
from (
    select entry_status.*, entry_status.trigger_load_id as load_id
    from {{ ref('mart_list__entry_status') }} as entry_status
    where entry_status.published and entry_status.status = 'active'
) as e
where not e.is_triggered_by_record or {{ released('e') }}
