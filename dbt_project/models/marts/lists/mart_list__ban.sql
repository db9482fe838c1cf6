-- Market and industry bans (市场禁入 / 行业禁入), one row per ban and responsible person: the ban
-- record types of config/lifecycle.yaml bans.record_types (招标投标 bans, practice bans: their own
-- scope, start and end, permanent when the department says so) and the penalties that bar the
-- subject's responsible persons (bans.penalty_bans, e.g. a revoked licence: five years). A ban
-- on an organisation is linked to its legal representative as responsible person — by name and
-- the keyed hash of the ID number only, never the number; a ban on a natural person is linked to
-- that person. A granted repair of the banning record lifts the ban (lifted_date).
-- Date-independent; the status on a date is mart_list__ban_status.
-- Indexed on the responsible person's ID hash: the credit check of a natural person reads the bans
-- on them by that hash (through mart_list__ban_person), one index probe instead of a scan of every
-- ban (33 ms a check at the city preset).
{{ config(indexes=[
    {'columns': ['responsible_person_id_hash']},
    {'columns': ['record_key']},
]) }}
{% set feeds = lifecycle_ban_feeds() %}

with penalty_bans as (

    select
        split_part(setting, '.', 3) as penalty_type,
        max(value) filter (where split_part(setting, '.', 4) = 'years')::int as years,
        max(value) filter (where split_part(setting, '.', 4) = 'scope') as scope
    from {{ ref('ref_lifecycle_setting') }}
    where setting like 'bans.penalty\_bans.%'
    group by 1

),

banning_records as (

    select
        fct.*,
        'record'::text as ban_source,
        coalesce(fct.details ->> 'ban_scope', fct.details ->> 'occupation', fct.record_type) as scope,
        coalesce(nullif(fct.details ->> 'ban_start_date', '')::date, fct.decision_date) as start_date,
        case when fct.details ->> 'is_permanent' = '是' then null
             else coalesce(nullif(fct.details ->> 'ban_end_date', '')::date, fct.valid_until) end as end_date,
        fct.details ->> 'is_permanent' = '是' as is_permanent,
        coalesce(fct.details ->> 'ban_reason', fct.record_content) as reason
    from {{ ref('fct_credit_record') }} as fct
    where fct.is_current_version and fct.lifecycle_status = 'active' and fct.subject_id is not null
      and fct.record_type = any({{ seed_list("(select value from " ~ ref('ref_lifecycle_setting') ~ " where setting = 'bans.record_types')") }})

    union all

    select * from (
        select distinct on (fct.record_key)
            fct.*,
            'penalty:' || pb.penalty_type as ban_source,
            pb.scope,
            fct.decision_date as start_date,
            (fct.decision_date + make_interval(years => pb.years))::date - 1 as end_date,
            false as is_permanent,
            fct.violation_type || '：' || coalesce(fct.record_content, '') as reason
        from {{ ref('fct_credit_record') }} as fct
        join penalty_bans as pb on pb.penalty_type = any({{ penalty_type_array('fct.penalty_types') }})
        where fct.is_current_version and fct.lifecycle_status = 'active' and fct.subject_id is not null
          and fct.act_kind = 'penalty' and fct.subject_kind <> 'natural_person'
        order by fct.record_key, pb.years desc
    ) as penalty_banned

),

persons as (

    -- the legal representative as the department sent them (name, keyed hash of the ID number)
    {% for feed in feeds %}
    select '{{ feed }}'::text as feed_key, g.load_id, g.source_row_number, g.legal_rep_name,
           case when g.legal_rep_id_number__status = 'valid' then g.legal_rep_id_number_hash end as legal_rep_id_hash
    from {{ ref('int_gate__' ~ feed) }} as g
    where (g.load_id, g.source_row_number) in (
        select b.load_id, b.source_row_number from banning_records as b where b.feed_key = '{{ feed }}')
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    md5(concat_ws('|', b.record_key, b.ban_source)) as ban_id,
    b.ban_source,
    b.record_key,
    b.record_type,
    b.feed_key,
    b.sector_slug,
    b.subject_id,
    b.subject_name,
    b.subject_kind,
    case when b.subject_kind <> 'natural_person' then b.uscc end as uscc,
    b.decision_number,
    b.authority_name,
    b.scope,
    b.reason,
    b.start_date,
    b.end_date,
    b.end_date is null as is_permanent,
    -- the responsible person: the banned person themself, else the legal representative
    case when b.subject_kind = 'natural_person' then 'subject' else 'legal_representative' end as responsible_role,
    case when b.subject_kind = 'natural_person' then b.subject_name
         else coalesce(p.legal_rep_name, b.legal_rep_name) end as responsible_person_name,
    case when b.subject_kind = 'natural_person' then b.id_number_hash else p.legal_rep_id_hash end
        as responsible_person_id_hash,
    g.repaired_date as lifted_date,
    b.load_id
from banning_records as b
left join persons as p
  on p.feed_key = b.feed_key and p.load_id = b.load_id and p.source_row_number = b.source_row_number
left join {{ ref('mart_repair__granted') }} as g on g.record_key = b.record_key
