-- Name matching for records without a trustworthy identifier. A unique exact match on the
-- normalised name is accepted; anything ambiguous, near (trigram) or unmatched goes to the review
-- queue and is never merged automatically. Natural persons are never matched on name alone.
{{ config(post_hook=["create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)"]) }}

with keyed as (

    select * from {{ ref('int_records__keyed') }}

),

names as (

    select * from {{ ref('int_subjects__names') }}

),

name_candidates as (

    select
        keyed.record_row_id,
        count(distinct names.subject_key) as n_candidates,
        min(names.subject_key) as only_candidate
    from keyed
    join names
      on names.name_key = keyed.name_key
     and (names.subject_kind = 'organisation') = (keyed.subject_kind <> 'natural_person')
    where keyed.subject_key is null
      and keyed.subject_kind <> 'natural_person'
    group by keyed.record_row_id

),

resolved as (

    select
        keyed.*,
        coalesce(keyed.subject_key, case when nc.n_candidates = 1 then nc.only_candidate end) as resolved_subject_key,
        case
            when keyed.subject_key is not null then keyed.match_method
            when nc.n_candidates = 1 then 'name_exact'
            when nc.n_candidates > 1 then 'review_ambiguous_name'
            when keyed.subject_kind = 'natural_person' then 'review_person_without_valid_id'
            else 'review_no_exact_match'
        end as resolution_method
    from keyed
    left join name_candidates nc using (record_row_id)

)

select
    resolved.*,
    case when resolved_subject_key is not null
         then 'CS' || upper(substr(md5(resolved_subject_key), 1, 16)) end as subject_id,
    case resolution_method
        when 'uscc' then 1.0
        when 'id_number' then 1.0
        when 'registration_number' then 0.99
        when 'org_code' then 0.98
        when 'registration_number_unmapped' then 0.95
        when 'org_code_unmapped' then 0.95
        when 'name_exact' then 0.9
        else 0.0
    end::numeric(3, 2) as match_confidence
from resolved
