-- The public credit comprehensive evaluation, explained: for every subject, one row per term of its
-- score, and the rows sum exactly to the score (numeric; each row rounded to score_decimals):
--
--   base           the model's base score
--   record         one counted record matched to an indicator: points (by severity, or from the
--                  subject's latest sector grade) × dimension weight × decay, decay = 0.5 ^ (age /
--                  half-life), age measured from the rating cycle's reference date
--   indicator_cap  the indicator's sum held to [min_total, max_total]
--   score_bounds   the score held to [min, max] of the model
--   grade_cap      a cap (e.g. on the serious-dishonesty list → at most D) holding the score at the
--                  top of that grade; present whenever a cap applies, 0 when the score is lower
--
-- The model is the configuration in ref_config.* (config/rating_model.yaml), read at run time.
--
-- Incremental (delete+insert per subject): a run re-rates every subject when the configuration
-- changed (its hash), when the rating cycle turned (a new month: decay moves), on the first run or
-- with --vars '{rating_full: true}'; otherwise only the subjects touched since the last run:
-- records built since then (new, corrected, revoked, moved — and the subject they moved from),
-- records whose status changed with the date (expired, repaired, decided), list entries that took
-- effect or ended (list-based caps), and new subjects.
-- Subjects that left the subject master are deleted.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='subject_id',
    on_schema_change='sync_all_columns',
    post_hook=[
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_record_idx on {{ this }} (record_key) where record_key is not null",
        "create index if not exists {{ this.name }}_rated_idx on {{ this }} (rated_at)",
        "delete from {{ this }} as c where not exists (select 1 from {{ ref('dim_credit_subject') }} as s where s.subject_id = c.subject_id)",
        "analyze {{ this }}",
    ],
) }}

with model as (

    select * from {{ ratings_source('ref_config', 'rating_model') }}

),

dimensions as (

    select * from {{ ratings_source('ref_config', 'rating_dimension') }}

),

indicators as (

    select indicator.*, dimensions.weight, dimensions.position as dimension_position,
           dimensions.name_zh as dimension_name_zh
    from {{ ratings_source('ref_config', 'rating_indicator') }} as indicator
    join dimensions using (dimension_key)

),

caps as (

    select * from {{ ratings_source('ref_config', 'rating_cap') }}

),

dates as (

    select
        {{ as_of_date() }} as as_of,
        date_trunc(model.regrade_cycle, {{ as_of_date() }})::date as reference_date,
        model.config_hash || ':{{ rating_logic_version() }}' as config_hash,
        {{ dbt.current_timestamp() }} as rated_at
    from model

),

subjects as (

    select subject_id from {{ ref('dim_credit_subject') }}

),

list_entries as (

    -- entries in force today (prior-notice and pending entries are not yet listings)
    select subject_id, list_type, entry_id, trigger_record_key, trigger_decision_number, effective_date
    from {{ ref('mart_list__active_entries') }}
    where status = 'active'

),

{% if is_incremental() %}
prior as (

    select rated_at, rated_as_of, reference_date, config_hash
    from {{ this }}
    order by rated_at desc
    limit 1

),

mode as (

    select (
        not exists (select 1 from prior)
        or exists (
            select 1 from prior cross join dates
            where prior.config_hash is distinct from dates.config_hash
               or prior.reference_date is distinct from dates.reference_date
               or prior.rated_as_of > dates.as_of
        )
        {%- if var('rating_full', false) %} or true{% endif %}
    ) as is_full

),

changed_records as (

    select fct.record_key, fct.subject_id
    from {{ ref('fct_credit_record') }} as fct
    where fct.built_at > (select rated_at from prior)

),

touched as (

    select subject_id from changed_records
    union
    -- the subject a changed record used to belong to
    select previous.subject_id
    from {{ this }} as previous
    where previous.record_key in (select record_key from changed_records)
    union
    -- records whose status or age moved with the date since the last run
    select fct.subject_id
    from {{ ref('fct_credit_record') }} as fct
    cross join prior
    cross join dates
    where fct.is_current_version
      and ((fct.publication_max_end_date >= prior.rated_as_of and fct.publication_max_end_date < dates.as_of)
           or (fct.repaired_date > prior.rated_as_of and fct.repaired_date <= dates.as_of)
           or (fct.decision_date > prior.rated_as_of and fct.decision_date <= dates.as_of))
    union
    -- subjects whose list-based caps changed (an entry took effect, ended, was repaired …)
    select coalesce(now_.subject_id, before.subject_id)
    from (
        select distinct entries.subject_id, caps.cap_key
        from list_entries as entries
        join caps on entries.list_type = any(caps.match_list_type)
    ) as now_
    full join (
        select distinct previous.subject_id, previous.cap_key
        from {{ this }} as previous
        join caps using (cap_key)
        where previous.contribution_kind = 'grade_cap' and caps.match_list_type is not null
    ) as before
      on before.subject_id = now_.subject_id and before.cap_key = now_.cap_key
    where now_.subject_id is null or before.subject_id is null
    union
    -- subjects never rated
    select subjects.subject_id
    from subjects
    where not exists (select 1 from {{ this }} as previous where previous.subject_id = subjects.subject_id)

),

scope as (

    select subjects.subject_id
    from subjects
    where (select is_full from mode)
       or subjects.subject_id in (select subject_id from touched)

),
{% else %}
scope as (

    select subject_id from subjects

),
{% endif %}

counted as (

    {{ rating_counted_records(extra="and rec.subject_id in (select subject_id from scope)") }}

),

sector_grades as (

    select * from {{ ref('mart_rating__sector_grade') }}

),

-- which indicators can match a record of each feed and severity (first match by priority; the
-- details conditions are checked per record)
feed_map as (

    select
        feeds.feed_key,
        severities.severity_key,
        indicators.indicator_key,
        indicators.priority,
        indicators.details_field,
        indicators.details_values,
        indicators.exclude_details_field,
        indicators.exclude_details_values,
        count(*) over (partition by feeds.feed_key, severities.severity_key) as candidates
    from {{ ref('ref_feed') }} as feeds
    cross join (values ('minor'), ('general'), ('serious'), ('-')) as severities (severity_key)
    join indicators
      on {{ rating_rule_matches('indicators', 'feeds', with_severity=false) }}
     and (indicators.match_severity is null or severities.severity_key = any(indicators.match_severity))

),

candidates as (

    select counted.*, feed_map.indicator_key, feed_map.priority, feed_map.candidates
    from counted
    join feed_map
      on feed_map.feed_key = counted.feed_key
     and feed_map.severity_key = coalesce(counted.severity, '-')
    where (feed_map.details_field is null
           or (counted.details ->> feed_map.details_field) = any(feed_map.details_values))
      and (feed_map.exclude_details_field is null
           or not coalesce((counted.details ->> feed_map.exclude_details_field) = any(feed_map.exclude_details_values), false))

),

matched as (

    select * from candidates where candidates = 1
    union all
    (
        select distinct on (record_version_id) *
        from candidates
        where candidates > 1
        order by record_version_id, priority
    )

),

scored as (

    select
        matched.subject_id,
        matched.record_key,
        matched.record_version_id,
        matched.feed_key,
        matched.sector_slug,
        matched.record_type,
        matched.information_category,
        matched.decision_number,
        matched.decision_date,
        matched.severity,
        matched.received_at,
        indicators.indicator_key,
        indicators.name_zh as indicator_name_zh,
        indicators.dimension_key,
        indicators.dimension_position,
        indicators.priority,
        indicators.weight,
        sector_grades.source_grade,
        sector_grades.common_score,
        case
            when indicators.value_source = 'sector_grade'
                then (sector_grades.common_score - indicators.neutral_common_score) * indicators.points_per_common_point
            else coalesce(
                case matched.severity
                    when 'minor' then indicators.points_minor
                    when 'general' then indicators.points_general
                    when 'serious' then indicators.points_serious
                end,
                indicators.points_default)
        end as base_points,
        greatest(dates.reference_date - matched.decision_date, 0) as age_days,
        case
            when indicators.half_life_months is null then 1::numeric
            else round(power(0.5::double precision,
                             greatest(dates.reference_date - matched.decision_date, 0)
                             / (indicators.half_life_months::double precision * 30.436875))::numeric, 6)
        end as decay_factor
    from matched
    join indicators using (indicator_key)
    cross join dates
    left join sector_grades
      on indicators.value_source = 'sector_grade'
     and sector_grades.record_version_id = matched.record_version_id
     and sector_grades.is_mapped
    -- a sector grade counts only as the subject's latest, mapped grade of its model
    where indicators.value_source <> 'sector_grade' or sector_grades.record_version_id is not null

),

record_rows as (

    select
        scored.*,
        round(scored.base_points * scored.weight * scored.decay_factor, model.score_decimals) as contribution
    from scored
    cross join model
    where scored.base_points is not null

),

indicator_totals as (

    select
        record_rows.subject_id,
        record_rows.indicator_key,
        min(record_rows.indicator_name_zh) as indicator_name_zh,
        min(record_rows.dimension_key) as dimension_key,
        min(record_rows.dimension_position) as dimension_position,
        min(record_rows.priority) as priority,
        sum(record_rows.contribution) as raw_total,
        count(*) as records
    from record_rows
    group by record_rows.subject_id, record_rows.indicator_key

),

indicator_bounded as (

    select
        indicator_totals.*,
        case
            when indicator_totals.raw_total < round(indicators.min_total, model.score_decimals)
                then round(indicators.min_total, model.score_decimals)
            when indicator_totals.raw_total > round(indicators.max_total, model.score_decimals)
                then round(indicators.max_total, model.score_decimals)
            else indicator_totals.raw_total
        end as bounded_total,
        indicators.min_total,
        indicators.max_total
    from indicator_totals
    join indicators using (indicator_key)
    cross join model

),

subject_scores as (

    select
        scope.subject_id,
        round(model.base_score, model.score_decimals)
            + coalesce(sum(indicator_bounded.bounded_total), 0) as raw_score
    from scope
    cross join model
    left join indicator_bounded using (subject_id)
    group by scope.subject_id, model.base_score, model.score_decimals

),

cap_candidates as (

    -- caps by record: a counted record matching the cap
    select
        counted.subject_id, caps.cap_key, caps.name_zh as cap_name_zh, caps.max_grade, caps.max_score,
        caps.position, counted.record_key, counted.decision_number, counted.decision_date
    from counted
    join caps
      on caps.match_list_type is null
     and {{ rating_rule_matches('caps', 'counted') }}
     and (caps.exclude_details_field is null
          or not coalesce((counted.details ->> caps.exclude_details_field) = any(caps.exclude_details_values), false))

    union all

    -- caps by list: an entry in force on one of the cap's lists (the list engine)
    select
        entries.subject_id, caps.cap_key, caps.name_zh, caps.max_grade, caps.max_score,
        caps.position, entries.trigger_record_key, entries.trigger_decision_number, entries.effective_date
    from list_entries as entries
    join caps on entries.list_type = any(caps.match_list_type)
    where entries.subject_id in (select subject_id from scope)

),

cap_hits as (

    -- the most restrictive cap each subject falls under
    select distinct on (subject_id) *
    from cap_candidates
    order by subject_id, max_score, position, decision_date desc, record_key

),

final_scores as (

    select
        subject_scores.subject_id,
        subject_scores.raw_score,
        least(greatest(subject_scores.raw_score, round(model.min_score, model.score_decimals)),
              round(model.max_score, model.score_decimals)) as bounded_score,
        cap_hits.cap_key,
        cap_hits.cap_name_zh,
        cap_hits.max_grade,
        cap_hits.max_score,
        cap_hits.record_key as cap_record_key,
        cap_hits.decision_number as cap_decision_number,
        cap_hits.decision_date as cap_decision_date
    from subject_scores
    cross join model
    left join cap_hits using (subject_id)

),

rows_unioned as (

    select
        scope.subject_id,
        'base' as contribution_kind,
        0 as display_order,
        null::text as dimension_key,
        null::text as indicator_key,
        null::text as cap_key,
        null::text as record_key,
        null::text as record_version_id,
        null::text as feed_key,
        null::text as information_category,
        null::text as decision_number,
        null::date as decision_date,
        null::text as severity,
        null::text as source_grade,
        round(model.base_score, model.score_decimals) as base_points,
        null::numeric as weight,
        null::integer as age_days,
        null::numeric as decay_factor,
        round(model.base_score, model.score_decimals) as contribution,
        format('基础分 base score %s', round(model.base_score, model.score_decimals)) as explanation,
        null::timestamptz as record_received_at
    from scope
    cross join model

    union all

    select
        subject_id,
        'record',
        1000 * dimension_position + priority,
        dimension_key,
        indicator_key,
        null,
        record_key,
        record_version_id,
        feed_key,
        information_category,
        decision_number,
        decision_date,
        severity,
        source_grade,
        base_points,
        weight,
        age_days,
        decay_factor,
        contribution,
        format('%s: %s %s%s%s — %s × 权重 %s × 衰减 %s = %s',
               indicator_name_zh, feed_key, coalesce(decision_number, ''),
               coalesce(' (' || severity || ')', ''),
               coalesce(' 等级 ' || source_grade, ''),
               trim_scale(round(base_points, 4)), trim_scale(weight), trim_scale(decay_factor), contribution),
        received_at
    from record_rows

    union all

    select
        subject_id,
        'indicator_cap',
        1000 * dimension_position + priority,
        dimension_key,
        indicator_key,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        bounded_total - raw_total,
        format('%s: %s records sum to %s, held to %s (bounds %s … %s)',
               indicator_name_zh, records, raw_total, bounded_total,
               coalesce(min_total::text, '−∞'), coalesce(max_total::text, '+∞')),
        null
    from indicator_bounded
    where bounded_total <> raw_total

    union all

    select
        subject_id,
        'score_bounds',
        900000,
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        bounded_score - raw_score,
        format('score %s held to the model''s range: %s', raw_score, bounded_score),
        null
    from final_scores
    where bounded_score <> raw_score

    union all

    select
        subject_id,
        'grade_cap',
        900001,
        null, null, cap_key, cap_record_key, null, null, null, cap_decision_number, cap_decision_date,
        null, null, null, null, null, null,
        least(bounded_score, max_score) - bounded_score,
        format('%s (%s %s): grade at most %s, score at most %s', cap_name_zh,
               coalesce(cap_decision_number, ''), coalesce(cap_decision_date::text, ''), max_grade, max_score),
        null
    from final_scores
    where cap_key is not null

)

select
    rows_unioned.subject_id::text as subject_id,
    rows_unioned.contribution_kind::text as contribution_kind,
    rows_unioned.display_order::integer as display_order,
    rows_unioned.dimension_key::text as dimension_key,
    rows_unioned.indicator_key::text as indicator_key,
    rows_unioned.cap_key::text as cap_key,
    rows_unioned.record_key::text as record_key,
    rows_unioned.record_version_id::text as record_version_id,
    rows_unioned.feed_key::text as feed_key,
    rows_unioned.information_category::text as information_category,
    rows_unioned.decision_number::text as decision_number,
    rows_unioned.decision_date::date as decision_date,
    rows_unioned.severity::text as severity,
    rows_unioned.source_grade::text as source_grade,
    rows_unioned.base_points::numeric as base_points,
    rows_unioned.weight::numeric as weight,
    rows_unioned.age_days::integer as age_days,
    rows_unioned.decay_factor::numeric as decay_factor,
    rows_unioned.contribution::numeric as contribution,
    rows_unioned.explanation::text as explanation,
    rows_unioned.record_received_at::timestamptz as record_received_at,
    dates.as_of::date as rated_as_of,
    dates.reference_date::date as reference_date,
    dates.config_hash::text as config_hash,
    dates.rated_at::timestamptz as rated_at
from rows_unioned
cross join dates
