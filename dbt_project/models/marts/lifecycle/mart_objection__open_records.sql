-- Records under objection as of the build date (var as_of_date, else the day it is read): from the
-- objection's submission until it is closed (rejected, corrected or kept). What the archive and the
-- published views read to mark a record as disputed (is_under_objection), with the objection's
-- state on that date and whether its current stage is past its working-day deadline.
-- One row per record: the earliest objection open on the date (by submission date, then number).
-- Written as a plain filter with an anti-join rather than `distinct on`, so the view stays simple:
-- PostgreSQL pulls it into the archive view's join and probes mart_objection__case by record_key
-- for the few records of one subject, where a `distinct on` subquery is computed whole first.
{{ config(materialized='view') }}

{% set is_open = "{alias}.record_key is not null and {alias}.submitted_date <= " ~ as_of_date()
                 ~ " and ({alias}.closed_date is null or {alias}.closed_date > " ~ as_of_date() ~ ")" %}

select
    objection.record_key,
    objection.objection_id,
    objection.objection_number,
    objection.subject_id,
    objection.submitted_date as disputed_since,
    case
        when objection.verified_date <= {{ as_of_date() }} then 'verified'
        when objection.accepted_date <= {{ as_of_date() }} then 'accepted'
        else 'submitted'
    end as objection_state,
    case
        when objection.verified_date <= {{ as_of_date() }} then objection.close_due_date
        when objection.accepted_date <= {{ as_of_date() }} then objection.verify_due_date
        else objection.accept_due_date
    end as stage_due_date,
    case
        when objection.verified_date <= {{ as_of_date() }} then objection.close_due_date < {{ as_of_date() }}
        when objection.accepted_date <= {{ as_of_date() }} then objection.verify_due_date < {{ as_of_date() }}
        else objection.accept_due_date < {{ as_of_date() }}
    end as is_stage_overdue,
    {{ as_of_date() }} as status_as_of_date
from {{ ref('mart_objection__case') }} as objection
where {{ is_open | replace('{alias}', 'objection') }}
  and not exists (
      select 1
      from {{ ref('mart_objection__case') }} as earlier
      where earlier.record_key = objection.record_key
        and {{ is_open | replace('{alias}', 'earlier') }}
        and (earlier.submitted_date, coalesce(earlier.objection_number, ''), earlier.objection_id)
            < (objection.submitted_date, coalesce(objection.objection_number, ''), objection.objection_id)
  )
