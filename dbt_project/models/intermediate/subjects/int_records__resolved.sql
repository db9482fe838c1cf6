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
--
-- Built narrow first (one decision per record, from the narrow int_records__keyed), then joined
-- once to the record's full row (int_records__unioned) on its provenance key.
{# Every join here is big-to-small or big-to-big on keys whose combined selectivity the planner
   underestimates by orders of magnitude (feed, load, row number; the few records left to name
   matching): nested loops over a million rows would follow, so they are off for this model.
   analyze: the next model reads this table before autovacuum would have analysed it. #}
{{ config(indexes=[
    {'columns': ['subject_id']},
], pre_hook=["set local work_mem = '256MB'", "set local enable_nestloop = off"], post_hook=[
    "analyze {{ this }}",
]) }}

with name_candidates as (

    -- only records without a key: a few per thousand
    select
        keyed.record_row_id,
        count(distinct names.subject_key) as n_candidates,
        min(names.subject_key) as only_candidate
    from {{ ref('int_records__keyed') }} as keyed
    join {{ ref('int_subjects__names') }} as names
      on names.name_key = keyed.name_key and not names.is_natural_person
    where keyed.subject_key is null
      and keyed.match_method is null
      and keyed.subject_kind <> 'natural_person'
    group by keyed.record_row_id

),

unique_candidates as (

    select distinct only_candidate as subject_key from name_candidates where n_candidates = 1

),

-- the codes known for each subject a name match may land on
subject_codes as (

    select subject_key,
           max(valid_uscc) as uscc,
           max(valid_registration_number) as registration_number,
           max(valid_org_code) as org_code
    from (
        select subject_key, valid_uscc, valid_registration_number, valid_org_code
        from {{ ref('int_records__keyed') }}
        where subject_key in (select subject_key from unique_candidates)
        union all
        select base_subject_key, uscc, registration_number, org_code
        from {{ ref('int_subjects__registration_base') }}
        where base_subject_key in (select subject_key from unique_candidates)
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
    from name_candidates as nc
    join {{ ref('int_records__keyed') }} as k using (record_row_id)
    left join subject_codes as sc on sc.subject_key = nc.only_candidate

),

decided as (

    select
        keyed.feed_key,
        keyed.load_id,
        keyed.source_row_number,
        keyed.record_row_id,
        keyed.subject_kind,
        keyed.name_key,
        keyed.valid_uscc,
        keyed.valid_registration_number,
        keyed.valid_org_code,
        keyed.valid_id_number_hash,
        keyed.subject_key,
        keyed.match_method,
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
    from {{ ref('int_records__keyed') }} as keyed
    left join checked using (record_row_id)

)

select
    decided.record_row_id,
    unioned.*,
    decided.subject_kind,
    decided.name_key,
    decided.valid_uscc,
    decided.valid_registration_number,
    decided.valid_org_code,
    decided.valid_id_number_hash,
    decided.subject_key,
    decided.match_method,
    decided.resolved_subject_key,
    decided.resolution_method,
    registry.subject_id,
    case decided.resolution_method
        when 'uscc' then 1.0
        when 'id_number' then 1.0
        when 'registration_number' then 0.99
        when 'org_code' then 0.98
        when 'registration_number_unmapped' then 0.95
        when 'org_code_unmapped' then 0.95
        when 'name_exact' then 0.9
        else 0.0
    end::numeric(3, 2) as match_confidence
from decided
join {{ ref('int_records__unioned') }} as unioned
  on unioned.feed_key = decided.feed_key
 and unioned.load_id = decided.load_id
 and unioned.source_row_number = decided.source_row_number
left join {{ ref('int_subjects__registry') }} as registry
  on registry.subject_key = decided.resolved_subject_key
