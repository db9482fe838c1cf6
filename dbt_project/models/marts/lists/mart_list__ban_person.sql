-- Responsible persons under an active ban as of the build date, by the keyed hash of their ID
-- number (never the number): what a credit check on a natural person's ID number joins to find
-- bans on the organisations they represent (and their own practice bans).
{{ config(materialized='view') }}

select
    responsible_person_id_hash as person_id_hash,
    responsible_person_name as person_name,
    responsible_role,
    ban_id,
    subject_id,
    subject_name,
    scope,
    start_date,
    end_date,
    is_permanent,
    decision_number,
    authority_name,
    status_as_of_date
from {{ ref('mart_list__ban_status') }}
where status = 'active' and responsible_person_id_hash is not null
