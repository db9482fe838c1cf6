-- Deterministic resolution: a record with a trustworthy identifier gets its subject key here.
--
-- * natural persons: the keyed hash of a valid resident ID number ('P:<hash>');
-- * everyone else: every valid code the record carries is turned into a subject key — the USCC
--   directly ('U:<uscc>'), the legacy registration number and organisation code through the
--   registration base data (or, for an organisation code, through the USCC it is embedded in,
--   positions 9–17); a code that maps to more than one subject maps to none.
--   One key → resolved. Two different keys (say, a USCC and a registration number of another
--   subject) → held for review, never guessed. A valid legacy code unknown everywhere keys the
--   subject on itself ('R:<number>', 'O:<code>').
-- Codes that fail their check never produce a key (int_records__resolved may use them to reject
-- a name match, never to make one).
-- A narrow table (one row per record, the identifier columns only); int_records__resolved joins
-- it back to the record's full row.
{# analyze: the next model reads this table before autovacuum would have analysed it #}
{{ config(pre_hook=["set local work_mem = '256MB'"],
          post_hook=["analyze {{ this }}"]) }}

with records as (

    select record_row_id, feed_key, load_id, source_row_number, subject_kind, subject_name, name_key,
           uscc, registration_number, org_code,
           valid_uscc, valid_registration_number, valid_org_code, valid_id_number_hash
    from {{ ref('int_records__identified') }}

),

base as (

    select * from {{ ref('int_subjects__registration_base') }}

),

registration_map as (

    select registration_number, min(base_subject_key) as subject_key,
           count(distinct base_subject_key) as n_subjects
    from base
    where registration_number is not null
    group by registration_number

),

known_uscc as (

    select uscc from base where uscc is not null
    union
    select distinct valid_uscc from records where valid_uscc is not null

),

org_code_map as (

    select org_code, min(subject_key) as subject_key, count(distinct subject_key) as n_subjects
    from (
        select org_code, base_subject_key as subject_key from base where org_code is not null
        union
        -- positions 9–17 of a USCC are the subject's organisation code
        select substr(uscc, 9, 9), 'U:' || uscc from known_uscc
    ) as codes
    group by org_code

),

candidates as (

    select
        records.*,
        case when records.valid_uscc is not null then 'U:' || records.valid_uscc end as uscc_key,
        case when reg.n_subjects = 1 then reg.subject_key end as registration_key,
        case when org.n_subjects = 1 then org.subject_key end as org_code_key,
        coalesce(reg.n_subjects > 1, false) or coalesce(org.n_subjects > 1, false) as has_ambiguous_code
    from records
    left join registration_map as reg on reg.registration_number = records.valid_registration_number
    left join org_code_map as org on org.org_code = records.valid_org_code

),

decided as (

    select
        candidates.*,
        -- how many different subjects the record's codes point at
        (uscc_key is not null)::int
        + (registration_key is not null and registration_key is distinct from uscc_key)::int
        + (org_code_key is not null and org_code_key is distinct from uscc_key
           and org_code_key is distinct from registration_key)::int as n_code_subjects
    from candidates

)

select
    decided.*,
    case
        when subject_kind = 'natural_person' and valid_id_number_hash is not null
            then 'P:' || valid_id_number_hash
        when n_code_subjects = 1 then coalesce(uscc_key, registration_key, org_code_key)
        when n_code_subjects > 1 or has_ambiguous_code then null
        when valid_registration_number is not null then 'R:' || valid_registration_number
        when valid_org_code is not null then 'O:' || valid_org_code
    end as subject_key,
    case
        when subject_kind = 'natural_person' and valid_id_number_hash is not null then 'id_number'
        when n_code_subjects = 1 and uscc_key is not null then 'uscc'
        when n_code_subjects = 1 and registration_key is not null then 'registration_number'
        when n_code_subjects = 1 then 'org_code'
        when n_code_subjects > 1 then 'review_conflicting_identifiers'
        when has_ambiguous_code then 'review_ambiguous_code'
        when valid_registration_number is not null then 'registration_number_unmapped'
        when valid_org_code is not null then 'org_code_unmapped'
    end as match_method
from decided
