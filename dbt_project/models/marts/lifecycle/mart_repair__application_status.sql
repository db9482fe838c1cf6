-- Repair applications as of the build date (var as_of_date, else the day it is read): a pending
-- application past its decision deadline (repair.decide_within_working_days) is overdue.
{{ config(materialized='view') }}

select
    app.*,
    {{ as_of_date() }} as status_as_of_date,
    app.outcome = 'pending' and app.decision_due_date < {{ as_of_date() }} as is_overdue,
    coalesce(app.handled_date, {{ as_of_date() }}) > app.decision_due_date as is_late
from {{ ref('mart_repair__application') }} as app
