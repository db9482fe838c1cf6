-- Market and industry bans in force today (as of the build date): the banned subject, the scope,
-- the term (no end date = permanent) and the responsible person by name (法定代表人, as in the
-- double-publicity tables; the ID number is never published). Only from released loads.
{{ config(alias='list_ban', materialized='view') }}

select
    b.ban_id::text as ban_id,
    b.subject_id::text as subject_id,
    b.subject_name::text as subject_name,
    b.subject_kind::text as subject_kind,
    b.uscc::text as uscc,
    b.sector_slug::text as sector_slug,
    b.record_type::text as record_type,
    b.decision_number::text as decision_number,
    b.authority_name::text as authority_name,
    b.scope::text as scope,
    b.start_date::date as start_date,
    b.end_date::date as end_date,
    b.is_permanent::boolean as is_permanent,
    b.responsible_role::text as responsible_role,
    b.responsible_person_name::text as responsible_person_name
from {{ ref('mart_list__ban_status') }} as b
where b.status = 'active' and {{ released('b') }}
