{# marts.archive_as_of(subject_id, on_date): what the subject's credit archive showed at the end of
   that day — the state of each decision then attributed to the subject, with its status on that
   date (a version corrected later still shows; a record expired by then shows as expired).
   Internal (marts): it carries unpublished and expired records; downstream reads pub only. #}
{% macro create_archive_as_of_function() %}
-- dropped first: "create or replace" cannot change the columns a function returns
drop function if exists {{ this.schema }}.archive_as_of(text, date);
create function {{ this.schema }}.archive_as_of(p_subject_id text, p_on_date date)
returns table (
    record_key text,
    record_version_id text,
    version_number bigint,
    subject_id text,
    subject_name text,
    feed_key text,
    sector_slug text,
    record_type text,
    act_kind text,
    information_category text,
    polarity text,
    severity text,
    decision_number text,
    decision_date date,
    valid_until date,
    authority_name text,
    penalty_types text,
    violation_type text,
    fine_wan_yuan numeric,
    confiscated_wan_yuan numeric,
    amount_wan_yuan numeric,
    record_content text,
    publication_max_end_date date,
    record_status text,
    known_from timestamptz,
    known_until timestamptz,
    known_through text
)
language sql stable
as $fn$
    select
        h.record_key, h.record_version_id, h.version_number, h.subject_id, h.subject_name,
        h.feed_key, h.sector_slug, h.record_type, h.act_kind, h.information_category, h.polarity, h.severity,
        h.decision_number, h.decision_date, h.valid_until, h.authority_name, h.penalty_types,
        h.violation_type, h.fine_wan_yuan, h.confiscated_wan_yuan, h.amount_wan_yuan,
        h.record_content, h.publication_max_end_date,
        {{ record_status('h', 'p_on_date') }},
        h.known_from, h.known_until, h.known_through
    from {{ this }} as h
    where h.subject_id = p_subject_id
      and h.decision_date <= p_on_date
      and h.known_from < (p_on_date + 1)::timestamptz
      and (h.known_until is null or h.known_until >= (p_on_date + 1)::timestamptz)
    order by h.decision_date desc, h.record_key
$fn$
{% endmacro %}
