-- Records under objection as of the build date (var as_of_date, else the day it is read): from the
-- objection's submission until it is closed (rejected, corrected or kept). What the archive and the
-- published views read to mark a record as disputed (is_under_objection), with the objection's
-- state on that date and whether its current stage is past its working-day deadline.
{{ config(materialized='view') }}

with cases as (

    select
        objection.*,
        {{ as_of_date() }} as status_as_of_date
    from {{ ref('mart_objection__case') }} as objection
    where objection.record_key is not null
      and objection.submitted_date <= {{ as_of_date() }}
      and (objection.closed_date is null or objection.closed_date > {{ as_of_date() }})

)

select distinct on (record_key)
    record_key,
    objection_id,
    objection_number,
    subject_id,
    submitted_date as disputed_since,
    case
        when verified_date <= status_as_of_date then 'verified'
        when accepted_date <= status_as_of_date then 'accepted'
        else 'submitted'
    end as objection_state,
    case
        when verified_date <= status_as_of_date then close_due_date
        when accepted_date <= status_as_of_date then verify_due_date
        else accept_due_date
    end as stage_due_date,
    case
        when verified_date <= status_as_of_date then close_due_date < status_as_of_date
        when accepted_date <= status_as_of_date then verify_due_date < status_as_of_date
        else accept_due_date < status_as_of_date
    end as is_stage_overdue,
    status_as_of_date
from cases
order by record_key, submitted_date, objection_number
