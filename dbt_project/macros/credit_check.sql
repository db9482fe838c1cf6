{# pub.credit_check(identifier): the pre-event credit check (信用核查). Accepts a USCC, a resident
   ID number (15 or 18 digits, any case or width) or a name; returns the matching subject(s), the
   grade, active list entries, the veto flag and its reasons. SECURITY DEFINER: callers need only
   the pub schema, never core or the restricted key. #}
{% macro create_credit_check_function() %}
create or replace function pub.credit_check(identifier text)
returns table (
    subject_id text,
    subject_name text,
    subject_kind text,
    uscc text,
    matched_by text,
    credit_grade text,
    active_list_entries jsonb,
    is_vetoed boolean,
    veto_reasons jsonb
)
language sql stable security definer
set search_path = pg_catalog, public
as $fn$
    with probe as (
        select
            case when util.uscc_status(identifier) = 'valid' then util.normalise_uscc(identifier) end as uscc,
            case when util.id_number_status(identifier) = 'valid'
                 then util.pii_hash(util.normalise_id_number(identifier)) end as id_hash,
            util.normalise_name(identifier) as name_key
    ),
    matched as (
        select s.*, 'uscc' as matched_by
        from {{ ref('dim_credit_subject') }} s, probe p
        where p.uscc is not null and s.uscc = p.uscc
        union all
        select s.*, 'id_number'
        from {{ ref('dim_credit_subject') }} s, probe p
        where p.id_hash is not null and s.id_number_hash = p.id_hash
        union all
        select s.*, 'name'
        from {{ ref('dim_credit_subject') }} s, probe p
        where p.uscc is null and p.id_hash is null and s.name_key = p.name_key
    ),
    entries as (
        -- active serious-dishonesty listings published for the subject
        select r.subject_id,
               jsonb_agg(jsonb_build_object(
                   'list', 'serious_dishonesty', 'record_type', r.record_type, 'sector', r.sector_slug,
                   'decision_number', r.decision_number, 'decision_date', r.decision_date,
                   'authority', r.authority_name, 'until', r.publication_max_end_date)
                   order by r.decision_date) as entries
        from {{ ref('mart_publication__record') }} r
        where r.information_category = '严重失信主体名单信息'
          and r.subject_id in (select m.subject_id from matched m)
        group by r.subject_id
    )
    select
        m.subject_id,
        m.canonical_name,
        m.subject_kind,
        case when m.subject_kind <> 'natural_person' then m.uscc end,
        m.matched_by,
        null::text as credit_grade,
        coalesce(e.entries, '[]'::jsonb),
        e.entries is not null,
        coalesce((select jsonb_agg('列入严重失信主体名单: ' || (x ->> 'decision_number') || ' (' || (x ->> 'authority') || ')')
                  from jsonb_array_elements(e.entries) x), '[]'::jsonb)
    from matched m
    left join entries e using (subject_id)
$fn$
{% endmacro %}
