{# Helpers of the rating models (models/marts/ratings, models/marts/supervision); docs/ratings.md. #}

{# Bump when the rating SQL changes what a score means: the stored hash changes with it and the
   next run re-rates every subject (as an edit of config/rating_model.yaml does). #}
{% macro rating_logic_version() -%}2026.1-2{%- endmacro %}

{# A table written outside dbt (source ref_config or supervision). When it does not exist — a build
   whose set-up never ran credit.ratings.config.install_rating_config, e.g. a test that builds only
   its own corner of the project — an empty relation with the declared columns stands in, so the
   rating models build (empty) instead of failing the whole project. #}
{% macro ratings_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(database=relation.database, schema=relation.schema,
                                                identifier=relation.identifier) -%}
        {%- if existing is none -%}
            {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
            {{- log("ratings: " ~ relation ~ " does not exist (install the configuration with "
                    ~ "credit.ratings.config.install_rating_config); using an empty relation", info=True) -}}
            (select {% for name, column in node.columns.items() -%}
                null::{{ column.data_type }} as {{ adapter.quote(name) }}{{ ", " if not loop.last }}
            {%- endfor %} where false)
        {%- else -%}
            {{ relation }}
        {%- endif -%}
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{# The records a rating counts, as of the build date, narrow (only what the ratings read):
   current versions attributed to a subject (marts.mart_archive__record gives the status on the
   date), decided by the date, in a counted status (counted_statuses; under objection only when
   count_under_objection), not repaired (marts.mart_repair__granted) by the date. List feeds: a
   removal (移出) never counts, and ends every earlier listing (列入) of the same feed and subject.
   counts_until: the last day the record counts (end of publication, day before a repair).

   `model`: a relation with the ref_config.rating_model row. `subjects` / `feeds`: SQL subqueries
   restricting the subjects / feeds read. `with_removals`: false when the feeds read send no list
   actions (saves reading the removals). #}
{% macro rating_counted_records(model='model', subjects=none, feeds=none, with_removals=true) -%}
    {#- removals: for a few subjects, a window over their rows (one read); for everyone, one
        aggregate over the removal records (a second, parallel read beats sorting every record) -#}
    {%- set removals_by_window = with_removals and subjects is not none -%}
    select
        counted.record_version_id, counted.record_key, counted.subject_id, counted.feed_key,
        counted.sector_slug, counted.record_type, counted.act_kind, counted.information_category,
        counted.polarity, counted.severity, counted.decision_number, counted.decision_date,
        counted.received_at, counted.department_code, counted.details, counted.counts_until
    from (
        select
            rec.record_version_id,
            rec.record_key,
            rec.subject_id,
            rec.feed_key,
            rec.sector_slug,
            rec.record_type,
            nullif(rec.act_kind, '') as act_kind,
            rec.information_category,
            rec.polarity,
            rec.severity,
            rec.decision_number,
            rec.decision_date,
            rec.received_at,
            rec.department_code,
            rec.details,
            least(rec.publication_max_end_date, repaired.repaired_date - 1) as counts_until,
            (rec.record_status = any(counted_model.counted_statuses)
             or (counted_model.count_under_objection and rec.record_status = 'under_objection'))
            and (repaired.repaired_date is null or repaired.repaired_date > {{ as_of_date() }}) as is_counted,
            coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_removed_values), false)
                as is_removal
            {%- if with_removals %},
            coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_listed_values), false)
                as is_listing,
            {%- if removals_by_window %}
            max(rec.decision_date) filter (
                where coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_removed_values), false)
            ) over (partition by rec.subject_id, rec.feed_key) as last_removal
            {%- else %}
            removals.last_removal
            {%- endif %}
            {%- endif %}
        from {{ ref('mart_archive__record') }} as rec
        cross join {{ model }} as counted_model
        left join {{ ref('mart_repair__granted') }} as repaired on repaired.record_key = rec.record_key
        {%- if with_removals and not removals_by_window %}
        left join (
            select removal.subject_id, removal.feed_key, max(removal.decision_date) as last_removal
            from {{ ref('fct_credit_record') }} as removal
            cross join {{ model }} as removal_model
            where removal.is_current_version
              and removal.decision_date <= {{ as_of_date() }}
              and (removal.details ->> removal_model.list_action_field) = any(removal_model.list_removed_values)
              {%- if feeds %}
              and removal.feed_key in ({{ feeds }})
              {%- endif %}
            group by removal.subject_id, removal.feed_key
        ) as removals on removals.subject_id = rec.subject_id and removals.feed_key = rec.feed_key
        {%- endif %}
        where rec.is_current_version
          and rec.subject_id is not null
          and rec.decision_date <= {{ as_of_date() }}
          and (rec.record_status = any(counted_model.counted_statuses)
               or (counted_model.count_under_objection and rec.record_status = 'under_objection')
               {%- if removals_by_window %}
               or coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_removed_values), false)
               {%- endif %})
          {%- if subjects %}
          and rec.subject_id in ({{ subjects }})
          {%- endif %}
          {%- if feeds %}
          and rec.feed_key in ({{ feeds }})
          {%- endif %}
    ) as counted
    where counted.is_counted
      and not counted.is_removal
      {%- if with_removals %}
      and not (counted.is_listing and coalesce(counted.last_removal > counted.decision_date, false))
      {%- endif %}
{%- endmacro %}

{# What the post-event lifecycle adds to the archive (marts.mart_lifecycle__archive_record: broken
   and fulfilled commitments, overdue rectification, verified voluntary registrations), on the
   shape of rating_counted_records: the events that count in the evaluation, in force on the date,
   when the model includes them (include_lifecycle_events). Their feed_key is 'lifecycle:<kind>'. #}
{% macro rating_lifecycle_records(model='model', subjects=none) -%}
    select
        event.record_key as record_version_id,
        event.record_key,
        event.subject_id,
        ('lifecycle:' || event.record_type) as feed_key,
        event.sector_slug,
        event.record_type,
        null::text as act_kind,
        event.information_category,
        event.polarity,
        event.severity,
        event.decision_number,
        event.decision_date,
        null::timestamptz as received_at,
        null::text as department_code,
        null::jsonb as details,
        event.publication_max_end_date as counts_until
    from {{ ref('mart_lifecycle__archive_record') }} as event
    cross join {{ model }} as lifecycle_model
    where lifecycle_model.include_lifecycle_events
      and event.counts_in_evaluation
      and event.record_status = 'active'
      and event.subject_id is not null
      {%- if subjects %}
      and event.subject_id in ({{ subjects }})
      {%- endif %}
{%- endmacro %}

{# Serious-dishonesty list status: the entries in force in the list engine
   (marts.mart_list__active_entries, config/list_rules.yaml) — not those in prior notice. #}
{% macro serious_list_entries() -%}
    select subject_id, entry_id, trigger_record_key, effective_date
    from {{ ref('mart_list__active_entries') }}
    where list_type = 'serious_dishonesty' and status = 'active'
{%- endmacro %}

{# A record that is itself a serious-dishonesty listing (category 严重失信主体名单信息). #}
{% macro is_serious_list_record(alias) -%}
    ({{ alias }}.information_category = '严重失信主体名单信息')
{%- endmacro %}

{# A match of a ref_config rule row (indicator or cap: match_* arrays, null = any) against a record. #}
{% macro rating_rule_matches(rule, rec, with_severity=true) -%}
    (({{ rule }}.match_information_category is null or {{ rec }}.information_category = any({{ rule }}.match_information_category))
     and ({{ rule }}.match_polarity is null or {{ rec }}.polarity = any({{ rule }}.match_polarity))
     and ({{ rule }}.match_feed_key is null or {{ rec }}.feed_key = any({{ rule }}.match_feed_key))
     and ({{ rule }}.match_sector_slug is null or {{ rec }}.sector_slug = any({{ rule }}.match_sector_slug))
     and ({{ rule }}.match_record_type is null or {{ rec }}.record_type = any({{ rule }}.match_record_type))
     and ({{ rule }}.match_act_kind is null or nullif({{ rec }}.act_kind, '') = any({{ rule }}.match_act_kind))
     {%- if with_severity %}
     and ({{ rule }}.match_severity is null or {{ rec }}.severity = any({{ rule }}.match_severity))
     {%- endif %})
{%- endmacro %}

{# The grade of a score: the band holding it (bands cover [min, max] without gaps at the score's
   precision). #}
{% macro rating_grade_of(score, bands='bands') -%}
    (select b.grade from {{ bands }} as b where {{ score }} >= b.min_score order by b.min_score desc limit 1)
{%- endmacro %}

{# pub.rating_changes_since(since, after_change_id): the change feed from a point in time or a
   cursor (the last change_id a subscriber saw), in order. #}
{% macro create_rating_changes_since_function() %}
-- the view is replaced on every build, and its row type with it
drop function if exists pub.rating_changes_since(timestamptz, bigint);
create function pub.rating_changes_since(since timestamptz, after_change_id bigint default 0)
returns setof {{ this }}
language sql stable
as $fn$
    select * from {{ this }}
    where changed_at > since and change_id > after_change_id
    order by change_id
$fn$
{% endmacro %}

{# Each subject's latest sector grade per sector model, from a relation of counted records (see
   rating_counted_records): latest evaluation year, then decision date; only records younger than
   the model's max_age_years at the cycle's reference date; mapped to the common scale. Needs the
   CTEs sector_models, grade_map, bands and dates (reference_date) in scope. #}
{% macro rating_latest_sector_grades(counted) -%}
    select
        graded.subject_id,
        graded.model_key,
        graded.model_name_zh,
        graded.sector_slug,
        graded.feed_key,
        graded.record_key,
        graded.record_version_id,
        graded.decision_date,
        graded.evaluation_year,
        graded.source_grade,
        grade_map.common_score,
        (select b.grade from bands as b where grade_map.common_score * 10 >= b.min_score
         order by b.min_score desc limit 1) as common_grade,
        grade_map.cap_grade,
        grade_map.cap_score,
        (grade_map.source_grade is not null) as is_mapped,
        graded.received_at,
        graded.counts_until
    from (
        select
            rec.subject_id,
            sector_models.model_key,
            sector_models.name_zh as model_name_zh,
            rec.sector_slug,
            rec.feed_key,
            rec.record_key,
            rec.record_version_id,
            rec.decision_date,
            case when (rec.details ->> sector_models.year_field) ~ '^[0-9]{4}$'
                 then (rec.details ->> sector_models.year_field)::integer end as evaluation_year,
            rec.details ->> sector_models.grade_field as source_grade,
            rec.received_at,
            rec.counts_until,
            row_number() over (
                partition by rec.subject_id, sector_models.model_key
                order by case when (rec.details ->> sector_models.year_field) ~ '^[0-9]{4}$'
                              then (rec.details ->> sector_models.year_field)::integer end desc nulls last,
                         rec.decision_date desc, rec.record_key
            ) as recency
        from {{ counted }} as rec
        join sector_models on sector_models.feed_key = rec.feed_key
        cross join dates
        where rec.details ->> sector_models.grade_field is not null
          and (sector_models.max_age_years is null
               or rec.decision_date > dates.reference_date
                                      - make_interval(months => (sector_models.max_age_years * 12)::integer))
    ) as graded
    left join grade_map
        on grade_map.model_key = graded.model_key
       and grade_map.source_grade = graded.source_grade
    where graded.recency = 1
{%- endmacro %}

{# Before re-rating everyone into an existing table: empty it and drop its indexes (the model's
   post-hooks build them again, in bulk, after the insert — far cheaper than maintaining them row
   by row for millions of rows). Only in run and build: compiling (docs, tests) changes nothing. #}
{% macro rating_empty_for_rebuild(relation) -%}
    {%- if flags.WHICH in ("run", "build") -%}
        {%- do run_query("truncate table " ~ relation) -%}
        {%- set indexes = run_query(
            "select quote_ident(schemaname) || '.' || quote_ident(indexname) from pg_indexes "
            ~ "where schemaname = '" ~ relation.schema ~ "' and tablename = '" ~ relation.identifier ~ "'") -%}
        {%- for row in indexes.rows -%}
            {%- do run_query("drop index if exists " ~ row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
