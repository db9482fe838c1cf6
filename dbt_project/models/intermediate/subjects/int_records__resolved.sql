-- Every record with its credit subject, or held for review.
--
-- Records with a subject key from int_records__keyed keep it. The others, if they are not about a
-- natural person (never matched on a name: namesakes are common), are matched on the normalised
-- name (util.normalise_name) against int_subjects__names:
-- * exactly one subject with that name → accepted ('name_exact'), unless the record carries a
--   well-formed code that failed its check and differs from that subject's code of the same kind
--   in more than two characters: a contradiction, held ('review_conflicting_code');
-- * several subjects → held ('review_ambiguous_name');
-- * none → held ('review_no_exact_match'); the review queue lists near (trigram) candidates.
-- Nothing below an exact normalised-name match is merged automatically. subject_id comes from
-- the subject registry (int_subjects__registry), so rebuilds and new data never renumber a
-- subject.
{{ config(post_hook=[
    "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
    "create index if not exists {{ this.name }}_row_idx on {{ this }} (record_row_id)",
]) }}

with keyed as (

    select * from {{ ref('int_records__keyed') }}

),

names as (

    select * from {{ ref('int_subjects__names') }}

),

base as (

    select * from {{ ref('int_subjects__registration_base') }}

),

registry as (

    select * from {{ ref('int_subjects__registry') }}

),

name_candidates as (

    select
        keyed.record_row_id,
        count(distinct names.subject_key) as n_candidates,
        min(names.subject_key) as only_candidate
    from keyed
    join names on names.name_key = keyed.name_key and not names.is_natural_person
    where keyed.subject_key is null
      and keyed.match_method is null
      and keyed.subject_kind <> 'natural_person'
    group by keyed.record_row_id

),

-- the codes known for each subject a name match may land on
subject_codes as (

    select subject_key,
           max(valid_uscc) as uscc,
           max(valid_registration_number) as registration_number,
           max(valid_org_code) as org_code
    from (
        select subject_key, valid_uscc, valid_registration_number, valid_org_code
        from keyed where subject_key in (select only_candidate from name_candidates where n_candidates = 1)
        union all
        select base_subject_key, uscc, registration_number, org_code
        from base where base_subject_key in (select only_candidate from name_candidates where n_candidates = 1)
    ) as codes
    group by subject_key

),

checked as (

    select
        nc.record_row_id,
        nc.n_candidates,
        nc.only_candidate,
        nc.n_candidates = 1 and (
            {%- for code, valid, known, width in [
                    ('uscc', 'valid_uscc', 'uscc', 18),
                    ('registration_number', 'valid_registration_number', 'registration_number', 15),
                    ('org_code', 'valid_org_code', 'org_code', 9)] %}
            {% if not loop.first %}or {% endif %}(k.{{ code }} is not null and k.{{ valid }} is null
                and char_length(k.{{ code }}) = {{ width }} and sc.{{ known }} is not null
                and (select count(*) from generate_series(1, {{ width }}) as i
                     where substr(k.{{ code }}, i, 1) <> substr(sc.{{ known }}, i, 1)) > 2)
            {%- endfor %}
        ) as has_conflicting_code
    from name_candidates nc
    join keyed k using (record_row_id)
    left join subject_codes sc on sc.subject_key = nc.only_candidate

),

resolved as (

    select
        keyed.*,
        coalesce(
            keyed.subject_key,
            case when checked.n_candidates = 1 and not checked.has_conflicting_code
                 then checked.only_candidate end
        ) as resolved_subject_key,
        case
            when keyed.subject_key is not null then keyed.match_method
            when keyed.match_method is not null then keyed.match_method  -- held in keying
            when keyed.subject_kind = 'natural_person' then 'review_person_without_valid_id'
            when checked.n_candidates = 1 and checked.has_conflicting_code then 'review_conflicting_code'
            when checked.n_candidates = 1 then 'name_exact'
            when checked.n_candidates > 1 then 'review_ambiguous_name'
            else 'review_no_exact_match'
        end as resolution_method
    from keyed
    left join checked using (record_row_id)

)

select
    resolved.*,
    registry.subject_id,
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
left join registry on registry.subject_key = resolved.resolved_subject_key
