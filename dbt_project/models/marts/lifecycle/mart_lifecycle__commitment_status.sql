-- Commitments as of the build date (var as_of_date, else the day it is read): open ones past their
-- due date (plus commitments.overdue_after_days) are overdue — for the department to verify; a
-- commitment is broken only when reported 未履行.
{{ config(materialized='view') }}

select
    c.*,
    {{ as_of_date() }} as status_as_of_date,
    case
        when c.broken_date is not null and c.broken_date <= {{ as_of_date() }} then 'broken'
        when c.fulfilled_date is not null and c.fulfilled_date <= {{ as_of_date() }} then 'fulfilled'
        when c.made_date > {{ as_of_date() }} then 'not_yet_made'
        when c.due_date is not null
         and c.due_date + {{ lifecycle_setting('commitments.overdue_after_days') }} < {{ as_of_date() }} then 'overdue'
        else 'open'
    end as status
from {{ ref('mart_lifecycle__commitment') }} as c
