-- Records repaired (信用修复 granted), one row per record: the earliest granted application. What
-- the archive reads to stop publishing the record (record_status 'repaired' from repaired_date),
-- what ends the list entries and bans the record triggered, and what the ratings leave out from
-- repaired_date on. The record itself stays in core.fct_credit_record: history is never deleted.
-- A table, unique on record_key: the archive view joins it to every record, and only a plain
-- indexed relation lets the planner probe it for the few records of one subject (a credit check)
-- while still hash-joining it for a full scan; through a `distinct on` view the whole repair set
-- was recomputed for every credit check. Date-independent, so a table loses nothing.
{{ config(materialized='table', indexes=[
    {'columns': ['record_key'], 'unique': True},
]) }}

select distinct on (record_key)
    record_key,
    repaired_date,
    application_number,
    application_id,
    subject_id,
    record_feed_key,
    record_sector_slug,
    record_decision_number,
    record_authority_uscc
from {{ ref('mart_repair__application') }}
where outcome = 'granted' and record_key is not null
order by record_key, repaired_date, application_number
