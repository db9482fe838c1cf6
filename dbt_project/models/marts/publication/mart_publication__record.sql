-- What may be published as of the build date: the current version of every record inside its
-- publication window, not expired, corrected, revoked or withdrawn. The quality gate's sector
-- release is applied in the published views, so a blocked sector keeps its last released state.
{{ config(post_hook=[
    "create index if not exists {{ this.name }}_subject_idx on {{ this }} (subject_id)",
    "create index if not exists {{ this.name }}_sector_idx on {{ this }} (sector_slug, load_id)",
]) }}

select
    fct.*
from {{ ref('fct_credit_record') }} as fct
where fct.is_current_version
  and fct.record_status = 'active'
  and fct.is_publishable_kind
  and fct.decision_date <= {{ as_of_date() }}
  and (fct.publication_max_end_date is null or fct.publication_max_end_date >= {{ as_of_date() }})
