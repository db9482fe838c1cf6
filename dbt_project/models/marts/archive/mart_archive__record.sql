-- Every subject's credit archive as of the build date (var as_of_date, else the day it is read):
-- every version of every record with its status on that date. Repair (信用修复 granted) and
-- objections (异议) come from the platform's lifecycle marts, which read core.fct_credit_record —
-- hence joined here and not in the fact. A view, so the status moves with the date without a
-- rebuild; the expensive part is the incremental core.fct_credit_record.
{{ config(materialized='view') }}

with lifecycle as (

    select
        fct.*,
        {{ as_of_date() }} as status_as_of_date,
        repair.repaired_date,
        objection.objection_state as objection_status,
        objection.disputed_since,
        objection.record_key is not null as is_under_objection
    from {{ ref('fct_credit_record') }} as fct
    left join {{ ref('mart_repair__granted') }} as repair on repair.record_key = fct.record_key
    left join {{ ref('mart_objection__open_records') }} as objection on objection.record_key = fct.record_key

)

select
    lifecycle.*,
    {{ record_status('lifecycle', 'lifecycle.status_as_of_date') }} as record_status
from lifecycle
