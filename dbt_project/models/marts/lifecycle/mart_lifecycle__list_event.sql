-- Lifecycle events the list rules can match besides credit records (config/list_rules.yaml
-- record_types broken_commitment and rectification_overdue), on the list engine's record shape.
-- Dated when they happen (a rectification escalates the day after its deadline), possibly after
-- the build date: the list engine dates entries from them and judges status as of a date.
select
    md5('broken_commitment|' || c.commitment_id) as record_key,
    'broken_commitment'::text as record_type,
    c.subject_id,
    c.subject_name,
    coalesce(c.sector_slug, 'credit_platform') as sector_slug,
    c.commitment_number as decision_number,
    c.broken_date as decision_date,
    c.authority_name,
    c.authority_uscc,
    coalesce(c.breach_description, '未履行信用承诺：' || coalesce(c.related_matter, c.commitment_number)) as record_content,
    c.latest_load_id as load_id
from {{ ref('mart_lifecycle__commitment') }} as c
where c.outcome = 'broken'

union all

select
    md5('rectification_overdue|' || r.order_id) as record_key,
    'rectification_overdue'::text as record_type,
    r.subject_id,
    r.subject_name,
    coalesce(r.sector_slug, 'credit_platform') as sector_slug,
    r.document_number as decision_number,
    r.escalation_date as decision_date,
    r.authority_name,
    r.authority_uscc,
    '逾期未完成整改（整改期限 ' || r.rectification_deadline || '）：' || r.measure_reason as record_content,
    r.latest_load_id as load_id
from {{ ref('mart_lifecycle__rectification') }} as r
where r.escalation_date is not null
