-- Every normalised name known for an identified subject (from its records and the base data).
select distinct name_key, subject_key, subject_kind
from {{ ref('int_records__keyed') }}
where subject_key is not null and name_key is not null
union
select distinct name_key, 'U:' || uscc, 'organisation'
from {{ ref('int_subjects__registration_base') }}
where name_key is not null
