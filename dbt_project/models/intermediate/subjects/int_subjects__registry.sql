-- The subject registry: every subject key ever seen, with the subject_id it was given. Never
-- rebuilt (full_refresh = false: `dbt build --full-refresh` keeps it), only added to, so a
-- subject_id, once given, is never renumbered.
--
-- A key seen for the first time gets 'CS' + the first 16 hex digits of md5(key) — unless it is
-- known to be another spelling of a subject already registered: the registration base data or a
-- record pairs it with a code already in the registry (a legacy-only subject 'R:<number>' that
-- the base data now lists with a USCC 'U:<uscc>'; an unmapped organisation code 'O:<code>' now
-- found in the base data). Then it inherits that subject's id (when the known spellings point at
-- exactly one id). A fresh database therefore gives every key md5-derived ids, and a database
-- that has seen the subjects change keeps the ids it gave.
{# analyze: the next model reads this table before autovacuum would have analysed it #}
{{ config(
    materialized='incremental',
    full_refresh=false,
    post_hook=["analyze {{ this }}",
               "create unique index if not exists {{ this.name }}_key_idx on {{ this }} (subject_key)",
               "create index if not exists {{ this.name }}_id_idx on {{ this }} (subject_id)"],
) }}

with keyed as (

    select * from {{ ref('int_records__keyed') }}

),

base as (

    select * from {{ ref('int_subjects__registration_base') }}

),

subject_keys as (

    select distinct subject_key from keyed where subject_key is not null
    union
    select base_subject_key from base

)

{% if is_incremental() %}

, aliases as (

    -- (key, another spelling of the same subject)
    select base_subject_key as subject_key, 'R:' || registration_number as alias
    from base where registration_number is not null
    union
    select base_subject_key, 'O:' || org_code from base where org_code is not null
    union
    select subject_key, 'R:' || valid_registration_number
    from keyed where subject_key like 'U:%' and valid_registration_number is not null
    union
    select subject_key, 'O:' || valid_org_code
    from keyed where subject_key like 'U:%' and valid_org_code is not null
    union
    select 'U:' || valid_uscc, 'O:' || substr(valid_uscc, 9, 9)
    from keyed where valid_uscc is not null

),

new_keys as (

    select subject_key from subject_keys
    where not exists (select 1 from {{ this }} as r where r.subject_key = subject_keys.subject_key)

),

inherited as (

    select new_keys.subject_key, min(r.subject_id) as subject_id, count(distinct r.subject_id) as n_ids
    from new_keys
    join aliases on aliases.subject_key = new_keys.subject_key
    join {{ this }} as r on r.subject_key = aliases.alias
    group by new_keys.subject_key

)

select
    new_keys.subject_key,
    coalesce(case when inherited.n_ids = 1 then inherited.subject_id end,
             'CS' || upper(substr(md5(new_keys.subject_key), 1, 16))) as subject_id,
    now() as registered_at
from new_keys
left join inherited using (subject_key)

{% else %}

select
    subject_key,
    'CS' || upper(substr(md5(subject_key), 1, 16)) as subject_id,
    now() as registered_at
from subject_keys

{% endif %}
