-- The subject directory: every credit subject with a published record.
{{ config(alias='credit_subject', materialized='view', post_hook=["{{ create_credit_check_function() }}"]) }}
-- depends_on: {{ ref('mart_publication__record') }}
-- depends_on: {{ ref('mart_list__active_entries') }}
-- depends_on: {{ ref('mart_list__ban_person') }}
-- depends_on: {{ ref('mart_rating__current') }}

select
    subj.subject_id::text as subject_id,
    subj.subject_kind::text as subject_kind,
    subj.canonical_name::text as subject_name,
    case when subj.subject_kind <> 'natural_person' then subj.uscc end::text as uscc,
    {{ public_id_number('subj.id_number_masked') }}::text as id_number,
    subj.division_code::text as division_code,
    subj.subject_status::text as subject_status,
    subj.first_seen_date::date as first_seen_date,
    subj.last_seen_date::date as last_seen_date
from {{ ref('dim_credit_subject') }} as subj
where exists (select 1 from {{ ref('pub_credit_record') }} as rec where rec.subject_id = subj.subject_id)
