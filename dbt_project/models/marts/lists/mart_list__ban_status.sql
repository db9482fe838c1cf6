-- Bans as of the build date (var as_of_date, else the day it is read): active, not yet started,
-- expired (past the end date) or lifted (the banning record was repaired).
{{ config(materialized='view') }}

select
    ban.*,
    {{ as_of_date() }} as status_as_of_date,
    case
        when ban.lifted_date is not null and ban.lifted_date <= {{ as_of_date() }} then 'lifted'
        when ban.start_date > {{ as_of_date() }} then 'pending'
        when ban.end_date is not null and ban.end_date < {{ as_of_date() }} then 'expired'
        else 'active'
    end as status
from {{ ref('mart_list__ban') }} as ban
