-- Credit interviews and rectification orders (约谈, 限期整改), one row per order: the measure, the
-- deadline, what was reported, and the escalation. Rectification not completed by its deadline
-- escalates the day after it (config/lifecycle.yaml rectification.escalate_after_working_days
-- working days later when set): a negative record in the archive (mart_lifecycle__archive_record)
-- and the key-attention rule KA_OVERDUE_RECTIFICATION. Escalation dates may lie after the build
-- date; what has happened by a date is judged there (status views), never here.
with rows as (

    select * from {{ ref('int_gate__credit_platform__interview_rectification') }}
    where not is_quarantined

),

dated as (

    select
        decision_number, authority_uscc,
        min(decision_date) as measure_date,
        min(completion_date) filter (where rectification_status = '已整改') as completed_date,
        min(status_date) filter (where rectification_status = '未整改') as refused_date,
        count(*) as rows_received
    from rows
    group by decision_number, authority_uscc

),

latest as (

    {{ latest_case_row('rows',
        "case rectification_status when '整改中' then 1 when '已整改' then 2 when '未整改' then 2 else 0 end",
        'status_date') }}

),

orders as (

    select
        md5(concat_ws('|', 'rectification', latest.decision_number, latest.authority_uscc)) as order_id,
        latest.decision_number as document_number,
        {{ platform_subject_id('latest') }} as subject_id,
        latest.subject_name,
        latest.subject_category,
        case when latest.uscc__status = 'valid' then latest.uscc end as uscc,
        latest.measure,
        latest.measure like '%整改%' as requires_rectification,
        latest.measure_reason,
        latest.related_decision_number,
        dated.measure_date,
        latest.rectification_deadline,
        latest.rectification_status as latest_status,
        dated.completed_date,
        dated.refused_date,
        latest.authority_name,
        latest.authority_uscc,
        (select d.sector_slug from {{ ref('ref_lifecycle_department') }} as d
         where d.department_uscc = latest.authority_uscc) as sector_slug,
        dated.rows_received,
        latest.load_id as latest_load_id
    from latest
    join dated using (decision_number, authority_uscc)
    {{ platform_subject_joins('latest') }}

),

related as (

    select distinct on (orders.order_id) orders.order_id, fct.record_key as related_record_key
    from orders
    join {{ ref('fct_credit_record') }} as fct
      on fct.decision_number = orders.related_decision_number
     and fct.authority_uscc = orders.authority_uscc
     and fct.is_current_version
    order by orders.order_id, fct.feed_key

)

select
    orders.*,
    related.related_record_key,
    case
        when orders.requires_rectification and orders.rectification_deadline is not null
         and (orders.completed_date is null or orders.completed_date > orders.rectification_deadline)
            then case when {{ lifecycle_setting('rectification.escalate_after_working_days') }} > 0
                      then {{ add_workdays('orders.rectification_deadline', lifecycle_setting('rectification.escalate_after_working_days')) }}
                      else orders.rectification_deadline + 1 end
    end as escalation_date,
    case
        when not orders.requires_rectification then 'interview_only'
        when orders.completed_date is not null and orders.completed_date <= orders.rectification_deadline then 'completed'
        when orders.completed_date is not null then 'completed_late'
        when orders.refused_date is not null then 'refused'
        else 'open'
    end as outcome
from orders
left join related using (order_id)
where orders.subject_id is not null
