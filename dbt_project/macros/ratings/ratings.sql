{# Helpers of the rating models (models/marts/ratings, models/marts/supervision); docs/ratings.md. #}

{# Bump when the rating SQL changes what a score means: the stored hash changes with it and the
   next run re-rates every subject (as an edit of config/rating_model.yaml does). #}
{% macro rating_logic_version() -%}2026.1-1{%- endmacro %}

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

{# The records a rating counts, as of the build date (marts.mart_archive__record gives the status on
   that date): current versions attributed to a subject, decided by the date, in a counted status
   (ref_config.rating_model.counted_statuses; under objection only when count_under_objection).
   List feeds: a removal (移出) never counts, and it ends every earlier listing (列入) of the same
   feed and subject. `model` must be a relation with the rating_model row; `extra` is appended to
   the where clause (e.g. a subject scope). #}
{% macro rating_counted_records(model='model', extra='') -%}
    select rec.*
    from {{ ref('mart_archive__record') }} as rec
    cross join {{ model }} as counted_model
    where rec.is_current_version
      and rec.subject_id is not null
      and rec.decision_date <= {{ as_of_date() }}
      and (rec.record_status = any(counted_model.counted_statuses)
           or (counted_model.count_under_objection and rec.record_status = 'under_objection'))
      and not coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_removed_values), false)
      and not (
          coalesce((rec.details ->> counted_model.list_action_field) = any(counted_model.list_listed_values), false)
          and exists (
              select 1
              from {{ ref('fct_credit_record') }} as removal
              where removal.subject_id = rec.subject_id
                and removal.feed_key = rec.feed_key
                and removal.is_current_version
                and removal.decision_date > rec.decision_date
                and removal.decision_date <= {{ as_of_date() }}
                and (removal.details ->> counted_model.list_action_field) = any(counted_model.list_removed_values)
          )
      )
      {{ extra }}
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
