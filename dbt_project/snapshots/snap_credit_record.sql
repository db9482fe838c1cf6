{#
  Every state the archive has shown for a decision (record_key): a new row when a correction or
  revocation arrives (version_fingerprint), when its lifecycle changes (repair, objection) or when
  it moves to another subject. dbt_valid_from is when the archive learnt of the change
  (record_changed_at: the arrival of the version, or the lifecycle event), not when the snapshot
  ran, so "as of" queries follow the data, not the build schedule. Earlier rows are never lost.

  Only decisions the last fct build touched are compared (built_at after the newest one already
  seen), so a daily snapshot costs what the day's changes cost. Rows missing from that scoped
  source are therefore left alone (hard_deletes 'ignore'): a decision is never deleted, it is
  corrected, revoked or repaired.
#}
{% snapshot snap_credit_record %}
{{ config(
    unique_key='record_key',
    strategy='check',
    check_cols=['version_fingerprint', 'lifecycle_status', 'repaired_date', 'objection_status', 'subject_id'],
    updated_at='record_changed_at',
    hard_deletes='ignore',
    post_hook=[
        "create index if not exists {{ this.name }}_key_idx on {{ this }} (record_key, dbt_valid_from)",
        "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
        "create index if not exists {{ this.name }}_built_idx on {{ this }} (built_at)",
    ],
) }}

{%- set existing = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none %}

select
    record_key,
    record_version_id,
    version_number,
    version_fingerprint,
    subject_id,
    subject_kind,
    subject_name,
    subject_category,
    uscc,
    id_number_masked,
    feed_key,
    sector_slug,
    record_type,
    act_kind,
    information_category,
    polarity,
    severity,
    decision_number,
    decision_date,
    valid_from,
    valid_until,
    authority_name,
    authority_uscc,
    penalty_types,
    violation_type,
    fine_wan_yuan,
    confiscated_wan_yuan,
    amount_wan_yuan,
    record_content,
    details,
    publication_rule,
    is_publishable_kind,
    publication_min_end_date,
    publication_max_end_date,
    lifecycle_status,
    repaired_date,
    objection_status,
    is_under_objection,
    record_changed_at,
    load_id,
    source_row_number,
    built_at
from {{ ref('fct_credit_record') }}
where is_current_version
{%- if existing %}
  and built_at > (select coalesce(max(built_at), '-infinity') from {{ this }})
{%- endif %}

{% endsnapshot %}
