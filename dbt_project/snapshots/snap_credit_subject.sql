{#
  Every version of a credit subject: a new row when its name, kind, identifiers, division or
  status change, dated when the build saw the change. The subject master is a few hundred
  thousand rows, so the whole of it is compared on every run; a subject that disappears (merged
  into another) is closed (hard_deletes 'invalidate').
#}
{% snapshot snap_credit_subject %}
{{ config(
    unique_key='subject_id',
    strategy='check',
    check_cols=['subject_key', 'subject_kind', 'canonical_name', 'uscc', 'registration_number', 'org_code',
                'id_number_hash', 'division_code', 'subject_status'],
    hard_deletes='invalidate',
    post_hook=["create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)"],
) }}

select
    subject_id,
    subject_key,
    subject_kind,
    canonical_name,
    uscc,
    registration_number,
    org_code,
    id_number_hash,
    id_number_masked,
    division_code,
    subject_status
from {{ ref('dim_credit_subject') }}

{% endsnapshot %}
