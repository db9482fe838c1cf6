-- Integrity demonstration candidates (诚信示范): subjects passing every enabled rule of
-- config/integrity.yaml (ref_config.integrity_rule), with the evidence for each rule. The rule
-- kinds are implemented here; their parameters, order and switches come from the configuration.
-- Cheap rules (subject kind, grade, score) are applied first, so the record-based ones only look
-- at the few subjects that can still qualify.
{{ config(pre_hook="set local work_mem = '256MB'") }}
with rules as (

    select * from {{ ratings_source('ref_config', 'integrity_rule') }}
    where enabled

),

model as (

    select * from {{ ratings_source('ref_config', 'rating_model') }}

),

ratings as (

    select ratings.*, subjects.subject_kind
    from {{ ref('mart_rating__current') }} as ratings
    join {{ ref('dim_credit_subject') }} as subjects using (subject_id)

),

prefiltered as (

    select ratings.*
    from ratings
    where exists (select 1 from rules)
      and not exists (
          select 1 from rules
          where (rules.rule_kind = 'subject_kind_in' and not ratings.subject_kind = any(rules.subject_kinds))
             or (rules.rule_kind = 'grade_in' and not ratings.grade = any(rules.grades))
             or (rules.rule_kind = 'min_score' and ratings.score < rules.min_value)
      )

),

facts_by_record as (

    -- per candidate subject, through the subject index of the record fact (few subjects)
    select prefiltered.subject_id, own.last_negative_date, own.serious_list_records
    from prefiltered
    cross join model
    cross join lateral (
        select
            max(rec.decision_date) filter (where rec.polarity = 'negative') as last_negative_date,
            count(*) filter (where {{ is_serious_list_record('rec') }}) as serious_list_records
        from {{ ref('fct_credit_record') }} as rec
        where rec.subject_id = prefiltered.subject_id
          and rec.is_current_version
          and rec.lifecycle_status <> 'revoked'
          and rec.decision_date <= {{ as_of_date() }}
          and not coalesce((rec.details ->> model.list_action_field) = any(model.list_removed_values), false)
    ) as own

),

serious_entries as (

    -- every serious-dishonesty entry the list engine ever made for the subject, withdrawn ones aside
    select entries.subject_id, count(*) as entries
    from {{ ref('mart_list__entry') }} as entries
    where entries.list_type = 'serious_dishonesty'
      and entries.subject_id in (select subject_id from prefiltered)
      and entries.effective_date <= {{ as_of_date() }}
      and entries.exit_reason is distinct from 'withdrawn'
    group by entries.subject_id

),

facts as (

    select
        facts_by_record.subject_id,
        facts_by_record.last_negative_date,
        facts_by_record.serious_list_records + coalesce(serious_entries.entries, 0) as serious_list_records
    from facts_by_record
    left join serious_entries using (subject_id)

),

positive_counts as (

    -- records that raised the score (honours, kept commitments, sector grades above neutral, …),
    -- decided within each min_positive_records rule's years
    select contribution.subject_id, rules.rule_key, count(*) as positives
    from {{ ref('mart_rating__contribution') }} as contribution
    join rules
      on rules.rule_kind = 'min_positive_records'
     and contribution.decision_date > ({{ as_of_date() }} - make_interval(years => rules.years))::date
    where contribution.subject_id in (select subject_id from prefiltered)
      and contribution.contribution_kind = 'record'
      and contribution.contribution > 0
    group by contribution.subject_id, rules.rule_key

),

sector_grades as (

    select grades.subject_id, rules.rule_key,
           bool_or(grades.source_grade = any(rules.grades)) as passed,
           string_agg(grades.model_key || ' ' || grades.source_grade, ', ' order by grades.model_key) as evidence
    from {{ ref('mart_rating__sector_grade') }} as grades
    join rules on rules.rule_kind = 'sector_grade_in' and grades.model_key = any(rules.sector_models)
    where grades.subject_id in (select subject_id from prefiltered)
    group by grades.subject_id, rules.rule_key

),

list_memberships as (

    select entries.subject_id, rules.rule_key,
           string_agg(entries.list_type || ' ' || entries.rule_code, ', ' order by entries.rule_code) as evidence
    from {{ ref('mart_list__active_entries') }} as entries
    join rules on rules.rule_kind = 'on_list' and entries.list_type = any(rules.lists)
    where entries.status = 'active'
      and entries.subject_id in (select subject_id from prefiltered)
    group by entries.subject_id, rules.rule_key

),

evaluated as (

    select
        prefiltered.subject_id,
        rules.rule_key,
        rules.position,
        rules.description_zh,
        case rules.rule_kind
            when 'subject_kind_in' then prefiltered.subject_kind = any(rules.subject_kinds)
            when 'grade_in' then prefiltered.grade = any(rules.grades)
            when 'min_score' then prefiltered.score >= rules.min_value
            when 'no_negative_within_years' then
                facts.last_negative_date is null
                or facts.last_negative_date <= ({{ as_of_date() }} - make_interval(years => rules.years))::date
            when 'no_serious_list_ever' then facts.serious_list_records = 0
            when 'min_positive_records' then coalesce(positive_counts.positives, 0) >= rules.min_value
            when 'sector_grade_in' then coalesce(sector_grades.passed, false)
            when 'on_list' then list_memberships.subject_id is not null
            else false
        end as passed,
        case rules.rule_kind
            when 'subject_kind_in' then prefiltered.subject_kind
            when 'grade_in' then 'grade ' || prefiltered.grade
            when 'min_score' then 'score ' || prefiltered.score
            when 'no_negative_within_years' then
                'last negative record: ' || coalesce(facts.last_negative_date::text, 'none')
            when 'no_serious_list_ever' then 'serious-list records and entries: ' || facts.serious_list_records
            when 'min_positive_records' then
                'positive records in ' || rules.years || ' years: ' || coalesce(positive_counts.positives, 0)
            when 'sector_grade_in' then 'sector grades: ' || coalesce(sector_grades.evidence, 'none')
            when 'on_list' then 'list entries: ' || coalesce(list_memberships.evidence, 'none')
        end as evidence
    from prefiltered
    cross join rules
    join facts using (subject_id)
    left join positive_counts
      on positive_counts.subject_id = prefiltered.subject_id and positive_counts.rule_key = rules.rule_key
    left join sector_grades
      on sector_grades.subject_id = prefiltered.subject_id and sector_grades.rule_key = rules.rule_key
    left join list_memberships
      on list_memberships.subject_id = prefiltered.subject_id and list_memberships.rule_key = rules.rule_key

),

candidates as (

    select
        subject_id,
        count(*) as rules_passed,
        jsonb_agg(jsonb_build_object('rule', rule_key, 'reason', description_zh, 'evidence', evidence)
                  order by position) as reasons
    from evaluated
    group by subject_id
    having bool_and(passed)

)

select
    candidates.subject_id::text as subject_id,
    prefiltered.subject_kind::text as subject_kind,
    prefiltered.grade::text as grade,
    prefiltered.score::numeric as score,
    candidates.rules_passed::integer as rules_passed,
    candidates.reasons as reasons,
    prefiltered.rated_as_of::date as rated_as_of,
    {{ dbt.current_timestamp() }}::timestamptz as proposed_at
from candidates
join prefiltered using (subject_id)
