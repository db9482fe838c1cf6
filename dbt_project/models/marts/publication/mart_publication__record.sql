-- What may be published as of the build date: the current version of every record inside its
-- publication window, not expired, corrected, revoked or repaired (a record under objection stays
-- published, marked as disputed). The quality gate's sector release is applied in the published
-- views, so a blocked sector keeps its last released state. A view: a record leaves publication on
-- the day its window ends, whether or not a build runs that day.
{{ config(materialized='view') }}

select
    rec.*
from {{ ref('mart_archive__record') }} as rec
where rec.is_current_version
  and rec.record_status in ('active', 'under_objection')
  and rec.is_publishable_kind
  and rec.decision_date <= rec.status_as_of_date
  and (rec.publication_max_end_date is null or rec.publication_max_end_date >= rec.status_as_of_date)
