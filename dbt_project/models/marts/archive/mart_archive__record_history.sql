-- The archive through time: every state a decision has shown, with the interval the archive
-- showed it [known_from, known_until). From the record snapshot (snap_credit_record) since the
-- snapshot first saw the decision; before that, from the fact's own versions (each version is
-- known from its arrival until the next one arrives), so history that predates the snapshot — a
-- correction landed in the same batch as its original — is not lost.
-- marts.archive_as_of(subject_id, date) answers "what did this archive show on that date".
{{ config(materialized='view', post_hook=["{{ create_archive_as_of_function() }}"]) }}

with snapshots as (

    select
        snap.*,
        snap.dbt_valid_from as known_from,
        snap.dbt_valid_to as known_until,
        'snapshot' as known_through
    from {{ ref('snap_credit_record') }} as snap

),

before_snapshots as (

    select
        fct.*,
        -- while it was shown, an earlier version was the current one
        case when fct.lifecycle_status = 'corrected' then 'active' else fct.lifecycle_status end as lifecycle_status_then,
        fct.received_at as known_from,
        nullif(least(coalesce(fct.superseded_at, 'infinity'), coalesce(first_snapshot.known_from, 'infinity')),
               'infinity') as known_until,
        'fact_version' as known_through
    from {{ ref('fct_credit_record') }} as fct
    left join lateral (
        select min(snap.dbt_valid_from) as known_from
        from {{ ref('snap_credit_record') }} as snap
        where snap.record_key = fct.record_key
    ) as first_snapshot on true
    where fct.received_at < coalesce(first_snapshot.known_from, 'infinity')

)

{% set columns = [
    'record_key', 'record_version_id', 'version_number', 'subject_id', 'subject_kind', 'subject_name',
    'subject_category', 'uscc', 'id_number_masked', 'feed_key', 'sector_slug', 'record_type', 'act_kind',
    'information_category', 'polarity', 'severity', 'decision_number', 'decision_date', 'valid_from',
    'valid_until', 'authority_name', 'authority_uscc', 'penalty_types', 'violation_type', 'fine_wan_yuan',
    'confiscated_wan_yuan', 'amount_wan_yuan', 'record_content', 'details', 'publication_rule',
    'is_publishable_kind', 'publication_min_end_date', 'publication_max_end_date',
] %}
select
    {% for c in columns %}{{ c }}, {% endfor %}
    lifecycle_status, repaired_date, objection_status, is_under_objection,
    known_from, known_until, known_through, load_id, source_row_number
from snapshots
union all
select
    {% for c in columns %}{{ c }}, {% endfor %}
    -- lifecycle events are only known through the snapshot
    lifecycle_status_then, null::date, null::text, false,
    known_from, known_until, known_through, load_id, source_row_number
from before_snapshots
