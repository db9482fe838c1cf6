-- The registration authority's base data: legacy registration numbers and organisation codes
-- mapped to the Unified Social Credit Code that replaced them.
with base as (

    select * from {{ source('reference', 'registration_base') }}

)

select distinct on (uscc)
    util.normalise_uscc(uscc) as uscc,
    util.normalise_code(registration_number) as registration_number,
    util.normalise_code(org_code) as org_code,
    util.clean_text(name) as subject_name,
    util.normalise_name(name) as name_key
from base
where util.uscc_status(uscc) = 'valid'
order by uscc
