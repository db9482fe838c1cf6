-- Every subject's credit archive as of the build date (var as_of_date, else the day it is read):
-- every version of every record with its status on that date. A view, so the status moves with
-- the date without a rebuild; the expensive part is the incremental core.fct_credit_record.
{{ config(materialized='view') }}

select
    fct.*,
    {{ as_of_date() }} as status_as_of_date,
    {{ record_status('fct', as_of_date()) }} as record_status
from {{ ref('fct_credit_record') }} as fct
