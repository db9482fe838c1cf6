-- The list engine (REFERENCE §6): every entry on the serious-dishonesty, key-attention and red
-- lists, made by the rules of config/list_rules.yaml (seed ref_list_rule) from the credit records
-- and lifecycle events of mart_list__candidate. One row per entry, with the rule and its legal
-- basis, the records that triggered it, the prior-notice stage (notice date, response deadline in
-- working days), the date it takes effect, the planned end (last day listed; null = permanent)
-- and the earliest early exit — and how it ended early, if it did: repaired (a granted repair of
-- a triggering record, not before the early-exit date), removed (the department's own 移出 record),
-- withdrawn (the triggering record corrected so that the rule no longer matches, or revoked),
-- ended_by_serious_dishonesty (a red-list subject that became seriously dishonest).
--
-- Date-independent: the status on a date is list_entry_status(), used by mart_list__entry_status
-- (as of the build date) and the function marts.list_entries_as_of(date) this model creates.
-- Dates are computed in credit.lifecycle.lists too (Python twin; tests/lifecycle compares them).
{{ config(indexes=[
    {'columns': ['subject_id']},
    {'columns': ['entry_id'], 'unique': True},
], post_hook=[
    "{{ create_list_entries_as_of_function() }}",
]) }}

with rules as (

    select * from {{ ref('ref_list_rule') }}

),

triggers as (

    select * from {{ ref('mart_list__trigger') }}

),

-- count rules: the record at which the subject reaches N matching records within M months starts
-- an entry; candidates closer together than the list's term belong to the same entry
count_matches as (

    select t.*, rules.count_at_least, rules.count_within_months, rules.term_months
    from triggers as t
    join rules using (rule_code)
    where rules.count_at_least is not null and t.current_matches

),

counted as (

    select
        t.rule_code, t.record_key, t.subject_id, t.record_date, t.sector_slug, t.feed_key, t.record_type,
        t.decision_number, t.authority_name, t.authority_uscc, t.load_id, t.is_credit_record,
        t.count_at_least, t.term_months,
        count(*) as n_in_window,
        array_agg(other.record_key order by other.record_date, other.record_key) as window_record_keys
    from count_matches as t
    join count_matches as other
      on other.rule_code = t.rule_code and other.subject_id = t.subject_id
     and other.record_date > (t.record_date - make_interval(months => t.count_within_months))::date
     and (other.record_date, other.record_key) <= (t.record_date, t.record_key)
    group by t.rule_code, t.record_key, t.subject_id, t.record_date, t.sector_slug, t.feed_key, t.record_type,
             t.decision_number, t.authority_name, t.authority_uscc, t.load_id, t.is_credit_record,
             t.count_at_least, t.term_months

),

count_starts as (

    select *
    from (
        select
            counted.*,
            lag(counted.record_date) over (partition by counted.rule_code, counted.subject_id
                                           order by counted.record_date, counted.record_key) as previous_date
        from counted
        where counted.n_in_window >= counted.count_at_least
    ) as reached
    where reached.previous_date is null
       or reached.record_date > (reached.previous_date + make_interval(months => coalesce(reached.term_months, 12)))::date

),

starts as (

    -- record rules: one entry per triggering record
    select
        t.rule_code, t.subject_id, t.record_key as trigger_record_key, array[t.record_key] as trigger_record_keys,
        t.record_date as trigger_record_date, t.current_matches, t.last_match_superseded_at,
        t.sector_slug, t.feed_key, t.record_type, t.decision_number, t.authority_name, t.authority_uscc,
        t.trigger_end_date as record_end_date, t.load_id, t.is_credit_record
    from triggers as t
    join rules using (rule_code)
    where rules.count_at_least is null

    union all

    select
        c.rule_code, c.subject_id, c.record_key, c.window_record_keys,
        c.record_date, true, null::timestamptz,
        c.sector_slug, c.feed_key, c.record_type, c.decision_number, c.authority_name, c.authority_uscc,
        null::date, c.load_id, c.is_credit_record
    from count_starts as c

),

removals as (

    -- a department's 移出 records: they end its 列入 entries of the same feed and subject
    select feed_key, subject_id, coalesce(nullif(details ->> 'removal_date', '')::date, decision_date) as removal_date
    from {{ ref('mart_list__candidate') }}
    where list_action = '移出' and is_current_version

),

removed as (

    -- the first removal on or after the trigger, for the rules a removal ends (a join, not a
    -- per-entry subquery: at city scale that subquery scanned the candidates once per entry)
    select starts.rule_code, starts.subject_id, starts.trigger_record_key, min(removals.removal_date) as removal_date
    from starts
    join rules using (rule_code)
    join removals
      on removals.feed_key = starts.feed_key and removals.subject_id = starts.subject_id
     and removals.removal_date >= starts.trigger_record_date
    where rules.exit_on_removal
    group by starts.rule_code, starts.subject_id, starts.trigger_record_key

),

dated as (

    select
        starts.*,
        rules.list_type, rules.list_name_zh, rules.rule_name_zh, rules.legal_basis, rules.requires_notice,
        rules.term_source, rules.term_kind, rules.term_kind_name_zh, rules.term_months,
        rules.early_exit_after_months, rules.extendable, rules.exit_on_removal, rules.vetoes, rules.published,
        rules.polarity, rules.ended_by_list,
        case when rules.trigger_after_months is not null
             then (starts.trigger_record_date + make_interval(months => rules.trigger_after_months))::date
             else starts.trigger_record_date end as trigger_date,
        removed.removal_date
    from starts
    join rules using (rule_code)
    left join removed using (rule_code, subject_id, trigger_record_key)

),

noticed as (

    select
        dated.*,
        case when requires_notice
             then {{ add_workdays('dated.trigger_date', lifecycle_setting('notice.notice_after_working_days')) }} end
            as notice_date
    from dated
    -- an abnormal-operation listing removed before it has lasted long enough never escalates
    where dated.removal_date is null or dated.removal_date > dated.trigger_date

),

responded as (

    select
        noticed.*,
        case when requires_notice
             then {{ add_workdays('noticed.notice_date', lifecycle_setting('notice.response_working_days')) }} end
            as response_deadline
    from noticed

),

effective as (

    select
        responded.*,
        case when requires_notice then {{ add_workdays('responded.response_deadline', 1) }}
             else responded.trigger_date end as effective_date
    from responded

),

planned as (

    select
        effective.*,
        case
            when term_source = 'record' then effective.record_end_date
            when term_months is not null then (effective.effective_date + make_interval(months => term_months))::date - 1
        end as planned_end_date,
        case when early_exit_after_months is not null
             then (effective.effective_date + make_interval(months => early_exit_after_months))::date end
            as early_exit_from
    from effective

),

repairs as (

    select p.rule_code, p.subject_id, p.trigger_record_key, min(g.repaired_date) as repaired_date
    from planned as p
    cross join lateral unnest(p.trigger_record_keys) as k (record_key)
    join {{ ref('mart_repair__granted') }} as g on g.record_key = k.record_key
    group by p.rule_code, p.subject_id, p.trigger_record_key

),

exits as (

    select
        planned.*,
        repairs.repaired_date,
        case when repairs.repaired_date is not null
             then greatest(repairs.repaired_date, coalesce(planned.early_exit_from, repairs.repaired_date)) end
            as repair_exit_date,
        case when not planned.current_matches then planned.last_match_superseded_at::date end as withdrawn_date
    from planned
    left join repairs using (rule_code, subject_id, trigger_record_key)

),

own_exit as (

    select
        exits.*,
        least(repair_exit_date, removal_date, withdrawn_date) as own_exit_date
    from exits

),

ended_by as (

    -- a red-list entry ends when the subject's serious-dishonesty listing takes effect during it
    select r.rule_code, r.subject_id, r.trigger_record_key, min(s.effective_date) as ended_by_date
    from own_exit as r
    join own_exit as s
      on s.subject_id = r.subject_id and s.list_type = r.ended_by_list
     and s.effective_date >= r.effective_date
     and (r.planned_end_date is null or s.effective_date <= r.planned_end_date)
     and (s.own_exit_date is null or s.own_exit_date > s.effective_date)
    where r.ended_by_list is not null
    group by r.rule_code, r.subject_id, r.trigger_record_key

)

select
    md5(concat_ws('|', own_exit.rule_code, own_exit.subject_id, own_exit.trigger_record_key)) as entry_id,
    own_exit.list_type,
    own_exit.list_name_zh,
    own_exit.rule_code,
    own_exit.rule_name_zh,
    own_exit.legal_basis,
    own_exit.term_kind,
    own_exit.term_kind_name_zh,
    own_exit.subject_id,
    subj.canonical_name as subject_name,
    subj.subject_kind,
    case when subj.subject_kind <> 'natural_person' then subj.uscc end as uscc,
    -- what triggered it
    own_exit.trigger_record_key,
    own_exit.trigger_record_keys,
    own_exit.is_credit_record as is_triggered_by_record,
    own_exit.record_type as trigger_record_type,
    own_exit.feed_key as trigger_feed_key,
    own_exit.sector_slug,
    own_exit.decision_number as trigger_decision_number,
    own_exit.authority_name as trigger_authority_name,
    own_exit.authority_uscc as trigger_authority_uscc,
    own_exit.load_id as trigger_load_id,
    own_exit.trigger_record_date,
    own_exit.trigger_date,
    -- prior notice and the term
    own_exit.requires_notice,
    own_exit.notice_date,
    own_exit.response_deadline,
    own_exit.effective_date,
    own_exit.term_source,
    own_exit.term_months,
    own_exit.planned_end_date,
    own_exit.early_exit_from,
    own_exit.extendable,
    -- how it ended before the planned end, if it did
    own_exit.repaired_date,
    own_exit.removal_date,
    own_exit.withdrawn_date,
    ended_by.ended_by_date,
    case
        when least(own_exit.own_exit_date, ended_by.ended_by_date) is null then null
        when own_exit.withdrawn_date = least(own_exit.own_exit_date, ended_by.ended_by_date) then 'withdrawn'
        when own_exit.removal_date = least(own_exit.own_exit_date, ended_by.ended_by_date) then 'removed'
        when own_exit.repair_exit_date = least(own_exit.own_exit_date, ended_by.ended_by_date) then 'repaired'
        else 'ended_by_' || own_exit.ended_by_list
    end as exit_reason,
    least(own_exit.own_exit_date, ended_by.ended_by_date) as exit_date,
    own_exit.vetoes,
    own_exit.published,
    own_exit.polarity
from own_exit
left join ended_by using (rule_code, subject_id, trigger_record_key)
left join {{ ref('dim_credit_subject') }} as subj on subj.subject_id = own_exit.subject_id
