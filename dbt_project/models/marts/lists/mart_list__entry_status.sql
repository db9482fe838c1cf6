-- Every list entry with its status as of the build date (var as_of_date, else the day it is read):
-- pending, notice (the subject may still respond), active, or how it ended (expired, repaired,
-- removed, withdrawn, ended_by_serious_dishonesty). A view, so entries take effect and expire with
-- the date without a rebuild. is_vetoing: an active entry of a list that vetoes (serious
-- dishonesty) — with veto_reason, the sentence the pre-event credit check shows.
{{ config(materialized='view') }}

with entries as (

    select
        e.*,
        {{ as_of_date() }} as status_as_of_date,
        {{ list_entry_status('e', as_of_date()) }} as status
    from {{ ref('mart_list__entry') }} as e

)

select
    entries.*,
    entries.status in ('notice', 'active') as is_current,
    entries.vetoes and entries.status = 'active' as is_vetoing,
    case when entries.vetoes and entries.status = 'active' then
        '列入' || entries.list_name_zh || '：' || entries.rule_name_zh
        || '（' || coalesce(entries.trigger_decision_number, '') || '，' || coalesce(entries.trigger_authority_name, '')
        || '；依据 ' || entries.legal_basis
        || '；' || entries.effective_date || ' 起' || coalesce('至 ' || entries.planned_end_date, '，永久') || '）'
    end as veto_reason,
    objection.record_key is not null as is_disputed
from entries
left join {{ ref('mart_objection__open_records') }} as objection
  on objection.record_key = entries.trigger_record_key
