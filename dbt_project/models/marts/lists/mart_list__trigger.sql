-- The list rules' matches, one row per (rule, record): the first version of the record that the
-- rule matched, whether the current version still matches (else when the last matching version
-- was superseded: the entry is withdrawn) and the end date the current version carries. The list
-- engine (mart_list__entry) starts its entries from here.
--
-- A table of its own, analysed, because of scale: the rules match through arrays and JSON that the
-- planner cannot estimate, and inside one query it took the few-rows guess for millions of
-- candidates and planned nested loops (> 44 min at the city preset, docs/BENCHMARKS.md). Rules are
-- unnested to one row per record type so the match is a hash join on record_type.
{{ config(post_hook=["analyze {{ this }}"]) }}

with rules as (

    select
        rules.rule_code,
        rules.polarity,
        rules.list_action,
        rules.detail_key,
        {{ seed_list('rules.severities') }} as severity_list,
        {{ seed_list('rules.penalty_types_any') }} as penalty_any_list,
        {{ seed_list('rules.penalty_types_none') }} as penalty_none_list,
        {{ seed_list('rules.detail_values') }} as detail_value_list,
        record_type
    from {{ ref('ref_list_rule') }} as rules
    cross join lateral unnest({{ seed_list('rules.record_types') }}) as types (record_type)

),

matched as (

    -- every version of every record that a rule matches
    select
        rules.rule_code,
        candidates.record_key,
        candidates.record_version_id,
        candidates.version_number,
        candidates.is_current_version,
        candidates.superseded_at,
        candidates.record_end_date
    from {{ ref('mart_list__candidate') }} as candidates
    join rules on rules.record_type = candidates.record_type
    where (rules.severity_list is null or candidates.severity = any(rules.severity_list))
      and (rules.penalty_any_list is null or candidates.penalty_type_list && rules.penalty_any_list)
      and (rules.penalty_none_list is null or not (candidates.penalty_type_list && rules.penalty_none_list))
      and (rules.detail_key is null or candidates.details ->> rules.detail_key = any(rules.detail_value_list))
      and (rules.list_action is null or candidates.list_action = rules.list_action)
      -- negative lists only from records of a kind that is published (a warning-only penalty is not)
      and (rules.polarity <> 'negative' or candidates.is_publishable_kind)
      and candidates.lifecycle_status <> 'revoked'

),

per_record as (

    -- one trigger per (rule, record): its first matching version; still matching when the current
    -- version matches, else withdrawn when the first non-matching version arrived
    select
        matched.rule_code,
        matched.record_key,
        (array_agg(matched.record_version_id order by matched.version_number))[1] as trigger_version_id,
        bool_or(matched.is_current_version) as current_matches,
        max(matched.superseded_at) filter (where not matched.is_current_version) as last_match_superseded_at,
        -- a department that corrects a ban's end date moves the entry's end
        (array_agg(matched.record_end_date) filter (where matched.is_current_version))[1] as current_end_date
    from matched
    group by matched.rule_code, matched.record_key

)

select
    per_record.rule_code,
    per_record.current_matches,
    per_record.last_match_superseded_at,
    case when per_record.current_matches then per_record.current_end_date
         else candidates.record_end_date end as trigger_end_date,
    candidates.*
from per_record
join {{ ref('mart_list__candidate') }} as candidates on candidates.record_version_id = per_record.trigger_version_id
