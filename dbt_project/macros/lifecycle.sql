{# Macros of the post-event lifecycle (models/marts/lifecycle, models/marts/lists, pub/pub_list*).
   Settings and rules come from seeds generated from config/ (credit/lifecycle/config.py). #}

{# A setting of config/lifecycle.yaml (or list_rules.yaml `notice`), as a scalar SQL expression. #}
{% macro lifecycle_setting(key, cast='int') -%}
    (select nullif(value, '')::{{ cast }} from {{ ref('ref_lifecycle_setting') }} where setting = '{{ key }}')
{%- endmacro %}

{# The n-th working day after a date (the date itself not counted; n = 0 is the date), from the
   working-day calendar seed — the twin of credit.workdays.publication_deadline. Null outside the
   calendar's years (see CALENDAR_YEARS in credit/lifecycle/config.py). #}
{% macro add_workdays(date_expr, n_expr) -%}
    (case when ({{ n_expr }}) = 0 then ({{ date_expr }})::date else (
        select later.calendar_date
        from {{ ref('ref_workday_calendar') }} as here
        join {{ ref('ref_workday_calendar') }} as later
          on later.workday_seq = here.workday_seq + ({{ n_expr }}) and later.is_workday
        where here.calendar_date = ({{ date_expr }})::date
    ) end)
{%- endmacro %}

{# Subject of a platform row (alias with the staged subject block): the warehouse subject with its
   valid USCC, else its valid ID number's keyed hash; a subject the warehouse has not met yet gets
   the id the resolution would give it (intermediate.int_records__resolved: 'CS' + md5 of the
   subject key). Needs `platform_subject_joins(alias)` in the FROM clause. #}
{% macro platform_subject_joins(alias) -%}
    left join lateral (
        select s.subject_id, s.canonical_name, s.subject_kind from {{ ref('dim_credit_subject') }} as s
        where {{ alias }}.uscc__status = 'valid' and s.uscc = {{ alias }}.uscc
        order by s.subject_id limit 1
    ) as {{ alias }}_by_uscc on true
    left join lateral (
        select s.subject_id, s.canonical_name, s.subject_kind from {{ ref('dim_credit_subject') }} as s
        where {{ alias }}.id_number__status = 'valid' and s.id_number_hash = {{ alias }}.id_number_hash
        order by s.subject_id limit 1
    ) as {{ alias }}_by_id on true
{%- endmacro %}

{% macro platform_subject_id(alias) -%}
    coalesce(
        {{ alias }}_by_uscc.subject_id,
        {{ alias }}_by_id.subject_id,
        case when {{ alias }}.uscc__status = 'valid' then 'CS' || upper(substr(md5('U:' || {{ alias }}.uscc), 1, 16))
             when {{ alias }}.id_number__status = 'valid' then 'CS' || upper(substr(md5('P:' || {{ alias }}.id_number_hash), 1, 16))
        end)
{%- endmacro %}

{# The latest row of each case (decision number + accepting authority) of a platform gate model,
   by the state's rank (a later state of the case wins), then its date, then arrival. #}
{% macro latest_case_row(relation_cte, rank_expr, date_expr) -%}
    select distinct on (decision_number, authority_uscc) *
    from {{ relation_cte }}
    order by decision_number, authority_uscc, {{ rank_expr }} desc nulls last, {{ date_expr }} desc nulls last,
             load_id desc, source_row_number desc
{%- endmacro %}

{# Penalty types of a record as a text array (fct_credit_record.penalty_types joins them with 、). #}
{% macro penalty_type_array(column) -%}
    array_remove(regexp_split_to_array(coalesce({{ column }}, ''), '[、,，;；|/[:space:]]+'), '')
{%- endmacro %}

{# A '|'-separated seed cell as a text array (null when empty). #}
{% macro seed_list(column) -%}
    case when nullif({{ column }}, '') is not null then string_to_array({{ column }}, '|') end
{%- endmacro %}

{# A list entry's status on a date, from its dates (marts.mart_list__entry):
   pending (not yet triggered or notified), notice (prior-notice stage: the subject may respond),
   active, then ended — expired (term over), repaired, removed (the department's 移出),
   withdrawn (the triggering record corrected or revoked), ended_by_<list> (a red-list subject
   that became seriously dishonest). An entry that ends before it takes effect is withdrawn. #}
{% macro list_entry_status(alias, on_date) -%}
    case
        when {{ on_date }} < coalesce({{ alias }}.notice_date, {{ alias }}.effective_date) then 'pending'
        when {{ alias }}.exit_date is not null and {{ alias }}.exit_date <= {{ on_date }}
             and {{ alias }}.exit_date <= {{ alias }}.effective_date then 'withdrawn'
        when {{ on_date }} < {{ alias }}.effective_date then 'notice'
        when {{ alias }}.exit_date is not null and {{ alias }}.exit_date <= {{ on_date }}
             and ({{ alias }}.planned_end_date is null or {{ alias }}.exit_date <= {{ alias }}.planned_end_date)
            then {{ alias }}.exit_reason
        when {{ alias }}.planned_end_date is not null and {{ on_date }} > {{ alias }}.planned_end_date then 'expired'
        else 'active'
    end
{%- endmacro %}

{# The day a list entry stopped being in force (null while it is): the exit, or the day after the
   planned end, whichever comes first. #}
{% macro list_entry_ended_date(alias) -%}
    least({{ alias }}.exit_date, {{ alias }}.planned_end_date + 1)
{%- endmacro %}

{# marts.list_entries_as_of(on_date): every list entry with its status on that date (post-hook of
   mart_list__entry). Internal (marts); the published lists are pub.list_entry. #}
{% macro create_list_entries_as_of_function() %}
create or replace function {{ this.schema }}.list_entries_as_of(p_on_date date)
returns table (
    entry_id text, list_type text, rule_code text, subject_id text, subject_name text,
    trigger_record_key text, sector_slug text, notice_date date, response_deadline date,
    effective_date date, planned_end_date date, exit_date date, exit_reason text, status text,
    vetoes boolean
)
language sql stable
as $fn$
    select e.entry_id, e.list_type, e.rule_code, e.subject_id, e.subject_name, e.trigger_record_key,
           e.sector_slug, e.notice_date, e.response_deadline, e.effective_date, e.planned_end_date,
           e.exit_date, e.exit_reason, {{ list_entry_status('e', 'p_on_date') }},
           e.vetoes and {{ list_entry_status('e', 'p_on_date') }} = 'active'
    from {{ this }} as e
    order by e.effective_date, e.entry_id
$fn$
{% endmacro %}
