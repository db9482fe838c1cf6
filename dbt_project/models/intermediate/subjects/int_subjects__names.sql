-- Every normalised name known for a subject that is not a natural person: from the records that
-- resolved on an identifier, and from the registration base data. Name matching
-- (int_records__resolved) looks names up here; natural persons are never matched on a name.
select distinct name_key, subject_key
from {{ ref('int_records__keyed') }}
where subject_key is not null
  and name_key is not null
  and subject_key not like 'P:%'
union
select name_key, base_subject_key
from {{ ref('int_subjects__registration_base') }}
where name_key is not null
