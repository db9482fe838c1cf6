-- Deterministic resolution: a record with a trustworthy identifier gets its subject key here.
-- Order of trust: a valid USCC; a valid resident ID number (natural persons); a valid legacy
-- registration number or organisation code, through the registration base data (or, failing
-- that, the organisation code embedded in a known USCC).
with records as (

    select * from {{ ref('int_records__identified') }}

),

base as (

    select * from {{ ref('int_subjects__registration_base') }}

),

known_uscc as (

    select distinct valid_uscc as uscc from records where valid_uscc is not null
    union
    select uscc from base

),

by_org_code as (

    -- positions 9–17 of a USCC are the subject's organisation code
    select substr(uscc, 9, 9) as org_code, min(uscc) as uscc, count(*) as n
    from known_uscc
    group by 1

)

select
    records.*,
    case
        when records.valid_uscc is not null then 'U:' || records.valid_uscc
        when records.subject_kind = 'natural_person' and records.valid_id_number_hash is not null
            then 'P:' || records.valid_id_number_hash
        when reg.uscc is not null then 'U:' || reg.uscc
        when org.uscc is not null then 'U:' || org.uscc
        when oc.n = 1 then 'U:' || oc.uscc
        when records.valid_registration_number is not null then 'R:' || records.valid_registration_number
        when records.valid_org_code is not null then 'O:' || records.valid_org_code
    end as subject_key,
    case
        when records.valid_uscc is not null then 'uscc'
        when records.subject_kind = 'natural_person' and records.valid_id_number_hash is not null then 'id_number'
        when reg.uscc is not null then 'registration_number'
        when org.uscc is not null or oc.n = 1 then 'org_code'
        when records.valid_registration_number is not null then 'registration_number_unmapped'
        when records.valid_org_code is not null then 'org_code_unmapped'
    end as match_method
from records
left join base as reg on reg.registration_number = records.valid_registration_number
left join base as org on org.org_code = records.valid_org_code
left join by_org_code as oc on oc.org_code = records.valid_org_code
