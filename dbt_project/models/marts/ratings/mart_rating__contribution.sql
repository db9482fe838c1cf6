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
-- The records are those of core.fct_credit_record (through marts.mart_archive__record: status on
-- the date; repairs from marts.mart_repair__granted) and the lifecycle's own records
-- (marts.mart_lifecycle__archive_record), see the macros in macros/ratings/ratings.sql.
--
-- Incremental (delete+insert per subject): a run re-rates every subject when the configuration
-- changed (its hash), when the rating cycle turned (a new month: decay moves), on the first run or
-- with --vars '{rating_full: true}'; otherwise only the subjects touched since the last run:
-- records built since then (new, corrected, revoked, moved — and the subject they moved from),
-- counted records whose last counting day has passed (counts_until: expiry, a dated repair),
-- repairs granted, lifecycle records that appeared or ended, list entries that took effect or
-- ended (list-based caps), and new subjects. Everything but the first is read from indexes or from
-- this table, so a daily run never scans the whole record fact.
-- Subjects that left the subject master are deleted.
-- depends_on: {{ ref('fct_credit_record') }}
{# The delete post-hook drops the rows of a subject that is not (or no longer) in the subject master:
   merged away, or never there. #}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='subject_id',
    on_schema_change='sync_all_columns',
    pre_hook="set local work_mem = '256MB'",
    post_hook=[
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_record_idx on {{ this }} (record_key) where record_key is not null",
        "create index if not exists {{ this.name }}_rated_idx on {{ this }} (rated_at) where contribution_kind = 'base'",
        "create index if not exists {{ this.name }}_until_idx on {{ this }} (counts_until) where counts_until is not null",
        "create index if not exists {{ this.name }}_base_idx on {{ this }} (subject_id) where contribution_kind = 'base'",
        "create index if not exists {{ this.name }}_cap_idx on {{ this }} (subject_id, cap_key) where contribution_kind = 'grade_cap'",
        "create index if not exists {{ this.name }}_lifecycle_idx on {{ this }} (subject_id, record_key) where feed_key like 'lifecycle:%'",
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

{#- Full or incremental, decided before the SQL runs: everyone is re-rated on the first build, with
    --vars '{rating_full: true}', when the stored state predates the columns the scope reads, when
    the configuration (or the SQL logic version) changed, when the rating cycle turned, when the
    date went back, or when more subjects were touched than rating_incremental_max_subjects.
    A full re-rating of an existing table empties it first (cheaper than deleting every row).
    Otherwise the touched subjects are listed first (from indexes and this table) and inlined, so
    the planner reads their records through the subject index. -#}
{%- set full = not is_incremental() or var('rating_full', false) -%}
{%- set touched_ids = [] -%}
{%- if not full and execute -%}
    {%- set state_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if 'counts_until' not in state_columns or 'department_code' not in state_columns -%}
        {%- set full = true -%}
    {%- else -%}
        {%- set states = run_query(
            "select (select config_hash || ':" ~ rating_logic_version() ~ "' from " ~ ratings_source('ref_config', 'rating_model') ~ " as m) as config_hash, "
            ~ "(select date_trunc(m.regrade_cycle, " ~ as_of_date() ~ ")::date from " ~ ratings_source('ref_config', 'rating_model') ~ " as m) as reference_date, "
            ~ as_of_date() ~ " as as_of, p.config_hash as prior_hash, p.reference_date as prior_reference, p.rated_as_of as prior_as_of "
            ~ "from (select 1) as one left join (select config_hash, reference_date, rated_as_of from " ~ this
            ~ " where contribution_kind = 'base' order by rated_at desc limit 1) as p on true") -%}
        {%- set state = states.rows[0] -%}
        {%- if state['prior_hash'] is none or state['prior_hash'] != state['config_hash']
              or state['prior_reference'] != state['reference_date'] or state['prior_as_of'] > state['as_of'] -%}
            {%- set full = true -%}
        {%- endif -%}
    {%- endif -%}
    {%- if not full -%}
        {%- set touched_sql -%}
            with model as (

                select * from {{ ratings_source('ref_config', 'rating_model') }}

            ),

            caps as (

                select * from {{ ratings_source('ref_config', 'rating_cap') }}

            ),

            indicators as (

                select * from {{ ratings_source('ref_config', 'rating_indicator') }}

            ),

            prior as (

                select rated_at, rated_as_of from {{ this }} where contribution_kind = 'base'
                order by rated_at desc limit 1

            ),

            lifecycle_now as (

                -- the lifecycle records that can move a score: they match an indicator (they carry
                -- no details) or a cap by record
                select events.subject_id, events.record_key
                from ({{ rating_lifecycle_records() }}) as events
                where exists (select 1 from indicators
                              where {{ rating_rule_matches('indicators', 'events') }}
                                and indicators.details_field is null)
                   or exists (select 1 from caps
                              where caps.match_list_type is null
                                and {{ rating_rule_matches('caps', 'events') }})

            ),

            changed_records as (

                -- records (re)built since the last run: new, corrected, revoked, moved
                select fct.record_key, fct.subject_id
                from {{ ref('fct_credit_record') }} as fct
                where fct.built_at > (select rated_at from prior)

            ),

            list_entries as (

                select subject_id, list_type
                from {{ ref('mart_list__active_entries') }}
                where status = 'active'

            ),

            touched as (

                select subject_id from changed_records
                union
                -- the subject a changed record used to belong to
                select previous.subject_id
                from {{ this }} as previous
                where previous.record_key in (select record_key from changed_records)
                union
                -- counted records whose last counting day passed since the last run (expiry, dated repair)
                select previous.subject_id
                from {{ this }} as previous
                cross join prior
                where previous.counts_until is not null
                  and previous.counts_until >= prior.rated_as_of
                  and previous.counts_until < {{ as_of_date() }}
                union
                -- repairs granted by now of records still counted
                select previous.subject_id
                from {{ ref('mart_repair__granted') }} as repaired
                join {{ this }} as previous using (record_key)
                where repaired.repaired_date <= {{ as_of_date() }}
                union
                -- lifecycle records that appeared or ended (views of the lifecycle marts: no build time)
                select coalesce(now_.subject_id, before.subject_id)
                from lifecycle_now as now_
                full join (
                    select previous.subject_id, previous.record_key
                    from {{ this }} as previous
                    where previous.feed_key like 'lifecycle:%'
                ) as before
                  on before.record_key = now_.record_key and before.subject_id = now_.subject_id
                where now_.record_key is null or before.record_key is null
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
                from {{ ref('dim_credit_subject') }} as subjects
                where not exists (
                    select 1 from {{ this }} as previous
                    where previous.subject_id = subjects.subject_id and previous.contribution_kind = 'base')

            )

            select distinct touched.subject_id
            from touched
            join {{ ref('dim_credit_subject') }} as subjects using (subject_id)
            order by 1
        {%- endset -%}
        {%- set touched_ids = run_query(touched_sql).columns[0].values() -%}
        {%- if touched_ids | length > var('rating_incremental_max_subjects', 100000) -%}
            {%- set full = true -%}
        {%- else -%}
            {%- do log("ratings: re-rating " ~ (touched_ids | length) ~ " touched subjects", info=True) -%}
        {%- endif -%}
    {%- endif -%}
{%- endif -%}
{%- if full and is_incremental() and execute -%}
    {%- do log("ratings: re-rating every subject", info=True) -%}
    {%- do rating_empty_for_rebuild(this) -%}
{%- endif %}
{% if full %}
scope as (

    select subject_id from subjects

),
{% elif touched_ids %}
scope as (

    select touched.subject_id
    from (values
        {%- for subject_id in touched_ids %}
        ('{{ subject_id | replace("'", "''") }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as touched (subject_id)

),
{% else %}
scope as (

    select null::text as subject_id where false

),
{% endif %}

counted as materialized (

    -- read once (narrow), used for the indicators, the caps and the department
    {%- set scoped = none if full else "select subject_id from scope" %}
    {{ rating_counted_records(subjects=scoped) }}
    union all
    -- always scoped, even in a full rating: a lifecycle event may name a subject that is not in
    -- the subject master (at the city preset: voluntary registrations and commitments of subjects
    -- with no credit record), which is not rated — its rows would explain no score
    {{ rating_lifecycle_records(subjects="select subject_id from scope") }}

),

sector_models as (

    select * from {{ ratings_source('ref_config', 'sector_model') }}

),

grade_map as (

    select * from {{ ratings_source('ref_config', 'sector_grade_map') }}

),

bands as (

    select * from {{ ratings_source('ref_config', 'rating_grade_band') }}

),

sector_grades as (

    -- the subjects' latest sector grades (the same macro builds marts.mart_rating__sector_grade)
    {{ rating_latest_sector_grades('counted') }}

),

-- which indicators can match a record of each feed and severity (first match by priority; the
-- details conditions are checked per record)
feed_candidates as (

    select
        feeds.feed_key,
        severities.severity_key,
        indicators.indicator_key,
        indicators.priority,
        indicators.details_field,
        indicators.details_values,
        indicators.exclude_details_field,
        indicators.exclude_details_values,
        -- the first indicator without a details condition always matches: later ones never win
        min(indicators.priority) filter (where indicators.details_field is null
                                           and indicators.exclude_details_field is null)
            over (partition by feeds.feed_key, severities.severity_key) as last_priority
    from {{ ref('ref_feed') }} as feeds
    cross join (values ('minor'), ('general'), ('serious'), ('-')) as severities (severity_key)
    join indicators
      on {{ rating_rule_matches('indicators', 'feeds', with_severity=false) }}
     and (indicators.match_severity is null or severities.severity_key = any(indicators.match_severity))

),

feed_map as (

    select
        feed_candidates.*,
        count(*) over (partition by feed_key, severity_key) as candidates
    from feed_candidates
    where last_priority is null or priority <= last_priority

),

candidates as (

    -- department records: through the feed map
    select counted.*, feed_map.indicator_key, feed_map.priority, feed_map.candidates
    from counted
    join feed_map
      on feed_map.feed_key = counted.feed_key
     and feed_map.severity_key = coalesce(counted.severity, '-')
    where (feed_map.details_field is null
           or (counted.details ->> feed_map.details_field) = any(feed_map.details_values))
      and (feed_map.exclude_details_field is null
           or not coalesce((counted.details ->> feed_map.exclude_details_field) = any(feed_map.exclude_details_values), false))

    union all

    -- lifecycle records (few): matched on their own attributes; they carry no details
    select counted.*, indicators.indicator_key, indicators.priority, 2 as candidates
    from counted
    join indicators
      on {{ rating_rule_matches('indicators', 'counted') }}
     and indicators.details_field is null
    where counted.feed_key like 'lifecycle:%'

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
        matched.counts_until,
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
        caps.position, counted.record_key, counted.decision_number, counted.decision_date, counted.counts_until,
        counted.feed_key
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
        caps.position, entries.trigger_record_key, entries.trigger_decision_number, entries.effective_date,
        null::date, null::text
    from list_entries as entries
    join caps on entries.list_type = any(caps.match_list_type)
    {%- if not full %}
    -- through the list engine's subject index: the scope is small
    where entries.subject_id = any(array(select subject_id from scope))
    {%- endif %}

),

cap_hits as (

    -- the most restrictive cap each subject falls under
    select distinct on (subject_id) *
    from cap_candidates
    order by subject_id, max_score, position, decision_date desc, record_key

),

departments as (

    -- the department that sent most of the subject's counted records (ties: the lowest code)
    select distinct on (subject_id) subject_id, department_code
    from (
        select subject_id, department_code, count(*) as records
        from counted
        where department_code is not null
        group by subject_id, department_code
    ) as per_department
    order by subject_id, records desc, department_code

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
        cap_hits.decision_date as cap_decision_date,
        cap_hits.counts_until as cap_counts_until,
        cap_hits.feed_key as cap_feed_key
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
        null::timestamptz as record_received_at,
        null::date as counts_until,
        departments.department_code
    from scope
    cross join model
    left join departments using (subject_id)

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
        received_at,
        counts_until,
        null
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
        null,
        null,
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
        null,
        null,
        null
    from final_scores
    where bounded_score <> raw_score

    union all

    select
        subject_id,
        'grade_cap',
        900001,
        null, null, cap_key, cap_record_key, null, cap_feed_key, null, cap_decision_number, cap_decision_date,
        null, null, null, null, null, null,
        least(bounded_score, max_score) - bounded_score,
        format('%s (%s %s): grade at most %s, score at most %s', cap_name_zh,
               coalesce(cap_decision_number, ''), coalesce(cap_decision_date::text, ''), max_grade, max_score),
        null,
        cap_counts_until,
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
    rows_unioned.counts_until::date as counts_until,
    rows_unioned.department_code::text as department_code,
    dates.as_of::date as rated_as_of,
    dates.reference_date::date as reference_date,
    dates.config_hash::text as config_hash,
    dates.rated_at::timestamptz as rated_at
from rows_unioned
cross join dates
