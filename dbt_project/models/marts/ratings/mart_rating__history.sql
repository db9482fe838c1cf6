-- Grade history: a row each time a subject's grade changes (and its first grade), kept across runs
-- (append-only; a --full-refresh does not rebuild it). Each change is explained: the indicators
-- whose points moved and by how much, the records that arrived since the previous grade, a cap
-- that started or stopped applying. change_id increases with every row: the change feed's cursor.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
    post_hook=[
        "create unique index if not exists {{ this.name }}_pk on {{ this }} (change_id)",
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id, change_id)",
        "create index if not exists {{ this.name }}_changed_idx on {{ this }} (changed_at)",
    ],
) }}

with indicators as (

    select * from {{ ratings_source('ref_config', 'rating_indicator') }}

),

current_ratings as (

    select * from {{ ref('mart_rating__current') }}
    {% if is_incremental() %}
    -- subjects re-rated since the last history row was written (a superset of what changed)
    where rated_at > (select coalesce(max(rated_at), '-infinity'::timestamptz) from {{ this }})
    {% endif %}

),

previous as (

    {% if is_incremental() %}
    select distinct on (history.subject_id)
        history.subject_id, history.grade, history.grade_rank, history.score, history.rated_at,
        history.indicator_points, history.cap_key
    from {{ this }} as history
    where history.subject_id in (select subject_id from current_ratings)
    order by history.subject_id, history.change_id desc
    {% else %}
    select null::text as subject_id, null::text as grade, null::integer as grade_rank, null::numeric as score,
           null::timestamptz as rated_at, null::jsonb as indicator_points, null::text as cap_key
    where false
    {% endif %}

),

changes as (

    select
        current_ratings.*,
        previous.grade as previous_grade,
        previous.grade_rank as previous_grade_rank,
        previous.score as previous_score,
        previous.rated_at as previous_rated_at,
        previous.indicator_points as previous_indicator_points,
        previous.cap_key as previous_cap_key
    from current_ratings
    left join previous using (subject_id)
    where previous.subject_id is null
       or previous.grade is distinct from current_ratings.grade

),

indicator_deltas as (

    select
        changes.subject_id,
        jsonb_agg(jsonb_build_object(
                      'indicator', deltas.indicator_key,
                      'name_zh', indicators.name_zh,
                      'from', deltas.before,
                      'to', deltas.after,
                      'delta', deltas.after - deltas.before)
                  order by abs(deltas.after - deltas.before) desc, deltas.indicator_key) as deltas,
        string_agg(coalesce(indicators.name_zh, deltas.indicator_key) || ' '
                   || case when deltas.after >= deltas.before then '+' else '' end
                   || (deltas.after - deltas.before)::text, '; '
                   order by abs(deltas.after - deltas.before) desc, deltas.indicator_key) as summary
    from changes
    cross join lateral (
        select coalesce(now_.key, before_.key) as indicator_key,
               coalesce((before_.value ->> 'points')::numeric, 0) as before,
               coalesce((now_.value ->> 'points')::numeric, 0) as after
        from jsonb_each(changes.indicator_points) as now_
        full join jsonb_each(coalesce(changes.previous_indicator_points, '{}'::jsonb)) as before_
          on before_.key = now_.key
    ) as deltas
    left join indicators using (indicator_key)
    where changes.previous_grade is not null
      and deltas.after <> deltas.before
    group by changes.subject_id

),

new_records as (

    select
        changes.subject_id,
        count(*) as records,
        jsonb_agg(jsonb_build_object(
                      'record_key', contribution.record_key,
                      'indicator', contribution.indicator_key,
                      'decision_date', contribution.decision_date,
                      'contribution', contribution.contribution)
                  order by contribution.decision_date desc, contribution.record_key) as items
    from changes
    join {{ ref('mart_rating__contribution') }} as contribution
      on contribution.subject_id = changes.subject_id
     and contribution.contribution_kind = 'record'
     and contribution.record_received_at > changes.previous_rated_at
    where changes.previous_grade is not null
    group by changes.subject_id

),

numbered as (

    select
        changes.*,
        indicator_deltas.deltas,
        indicator_deltas.summary,
        new_records.records as new_record_count,
        new_records.items as new_records,
        row_number() over (order by changes.subject_id) as row_in_run
    from changes
    left join indicator_deltas using (subject_id)
    left join new_records using (subject_id)

)

select
    ({% if is_incremental() %}(select coalesce(max(change_id), 0) from {{ this }}){% else %}0{% endif %}
        + numbered.row_in_run)::bigint as change_id,
    numbered.subject_id::text as subject_id,
    case
        when numbered.previous_grade is null then 'initial'
        when numbered.grade_rank < numbered.previous_grade_rank then 'upgrade'
        else 'downgrade'
    end::text as change_kind,
    numbered.previous_grade::text as previous_grade,
    numbered.grade::text as grade,
    numbered.grade_rank::integer as grade_rank,
    numbered.previous_score::numeric as previous_score,
    numbered.score::numeric as score,
    numbered.previous_cap_key::text as previous_cap_key,
    numbered.cap_key::text as cap_key,
    case
        when numbered.previous_grade is null then
            format('首次评价 first rating: %s (%s)', numbered.grade, numbered.score)
        else concat_ws('; ',
            format('%s → %s (%s → %s)', numbered.previous_grade, numbered.grade, numbered.previous_score, numbered.score),
            case when numbered.cap_key is distinct from numbered.previous_cap_key then
                case when numbered.cap_key is null then format('cap %s lifted', numbered.previous_cap_key)
                     else format('cap %s: at most %s', numbered.cap_key, numbered.cap_max_grade) end
            end,
            case when numbered.new_record_count > 0 then format('%s new record(s)', numbered.new_record_count) end,
            numbered.summary)
    end::text as explanation,
    coalesce(numbered.deltas, '[]'::jsonb) as indicator_changes,
    coalesce(numbered.new_records, '[]'::jsonb) as new_records,
    numbered.indicator_points as indicator_points,
    numbered.previous_rated_at::timestamptz as previous_rated_at,
    numbered.rated_as_of::date as effective_date,
    numbered.rated_at::timestamptz as rated_at,
    numbered.rated_at::timestamptz as changed_at,
    numbered.model_version::text as model_version
from numbered
