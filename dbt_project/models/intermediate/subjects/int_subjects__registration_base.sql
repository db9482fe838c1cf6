-- The registration authority's base data: each registered subject with the identifiers it is
-- known by — the Unified Social Credit Code and the legacy registration number and organisation
-- code it replaced — and the subject key records resolve to through it. Subjects that never got
-- a USCC (legacy-only) are kept, keyed on their registration number or organisation code.
-- Only codes that pass their check are used; a code listed for two subjects maps to neither
-- (see int_records__keyed).
{# analyze: the next model reads this table before autovacuum would have analysed it #}
{{ config(post_hook=["analyze {{ this }}"]) }}

with base as (

    select * from {{ source('reference', 'registration_base') }}

),

cleaned as (

    select
        case when util.uscc_status(uscc) = 'valid' then util.normalise_uscc(uscc) end as uscc,
        case when util.registration_number_status(registration_number) = 'valid'
             then util.normalise_code(registration_number) end as registration_number,
        case when util.org_code_status(org_code) = 'valid'
             then util.normalise_code(org_code) end as org_code,
        util.clean_text(name) as subject_name,
        util.normalise_name(name) as name_key
    from base

),

keyed as (

    select
        case
            when uscc is not null then 'U:' || uscc
            when registration_number is not null then 'R:' || registration_number
            else 'O:' || org_code
        end as base_subject_key,
        cleaned.*
    from cleaned
    where coalesce(uscc, registration_number, org_code) is not null

)

select distinct on (base_subject_key) *
from keyed
order by base_subject_key, registration_number nulls last, org_code nulls last, subject_name
