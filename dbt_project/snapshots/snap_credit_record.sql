{#
  Every state the archive has shown for a decision (record_key): a new row when a correction or
  revocation arrives (version_fingerprint, lifecycle_status), when credit repair is granted or an
  objection opens, moves or closes, or when the decision moves to another subject. dbt_valid_from
  is when the archive learnt of the change — the arrival of the version, the repair date, the
  objection's date — not when the snapshot ran, so "as of" queries follow the data, not the build
  schedule. Earlier rows are never lost.

  Only decisions the last fct build touched (built_at after the newest one already seen) and
  decisions with a repair or an objection are compared, so a daily snapshot costs what the day's
  changes cost. Rows missing from that scoped source are left alone (hard_deletes 'ignore'): a
  decision is never deleted, it is corrected, revoked or repaired.
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

with lifecycle_keys as (

    select record_key from {{ ref('mart_repair__granted') }}
    union
    select record_key from {{ ref('mart_objection__case') }} where record_key is not null

),

archive as (

    select rec.*
    from {{ ref('mart_archive__record') }} as rec
    where rec.is_current_version
    {%- if existing %}
      and (rec.built_at > (select coalesce(max(built_at), '-infinity') from {{ this }})
           or rec.record_key in (select record_key from lifecycle_keys))
    {%- endif %}

)

select
    archive.record_key,
    archive.record_version_id,
    archive.version_number,
    archive.version_fingerprint,
    archive.subject_id,
    archive.subject_kind,
    archive.subject_name,
    archive.subject_category,
    archive.uscc,
    archive.id_number_masked,
    archive.feed_key,
    archive.sector_slug,
    archive.record_type,
    archive.act_kind,
    archive.information_category,
    archive.polarity,
    archive.severity,
    archive.decision_number,
    archive.decision_date,
    archive.valid_from,
    archive.valid_until,
    archive.authority_name,
    archive.authority_uscc,
    archive.penalty_types,
    archive.violation_type,
    archive.fine_wan_yuan,
    archive.confiscated_wan_yuan,
    archive.amount_wan_yuan,
    archive.record_content,
    archive.details,
    archive.publication_rule,
    archive.is_publishable_kind,
    archive.publication_min_end_date,
    archive.publication_max_end_date,
    archive.lifecycle_status,
    archive.repaired_date,
    archive.objection_status,
    archive.is_under_objection,
    -- when the archive learnt of this state: the version's arrival, or the latest lifecycle event
    -- on or before today (repair granted, objection submitted, accepted, verified or closed)
    least(now(), greatest(
        archive.record_changed_at,
        archive.repaired_date::timestamptz,
        (select max(greatest(o.submitted_date, o.accepted_date, o.verified_date, o.closed_date))::timestamptz
         from {{ ref('mart_objection__case') }} as o
         where o.record_key = archive.record_key
           and archive.record_key in (select record_key from lifecycle_keys))
    )) as record_changed_at,
    archive.load_id,
    archive.source_row_number,
    archive.built_at
from archive

{% endsnapshot %}
