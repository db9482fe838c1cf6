-- Every published credit record of every sector and kind (the ten publicised acts and the
-- sector-specific records), one shape. Same rules as the double-publicity tables.
{{ config(alias='credit_record', materialized='view') }}

select
    rec.record_key::text as record_key,
    rec.subject_id::text as subject_id,
    rec.subject_name::text as subject_name,
    rec.subject_category::text as subject_category,
    rec.uscc::text as uscc,
    {{ public_id_number('rec.id_number_masked') }}::text as id_number,
    rec.sector_slug::text as sector_slug,
    rec.record_type::text as record_type,
    rec.act_kind::text as act_kind,
    rec.information_category::text as information_category,
    rec.polarity::text as polarity,
    rec.severity::text as severity,
    rec.decision_number::text as decision_number,
    rec.decision_date::date as decision_date,
    rec.valid_until::date as valid_until,
    rec.authority_name::text as authority_name,
    rec.authority_uscc::text as authority_uscc,
    rec.record_content::text as record_content,
    rec.fine_wan_yuan::numeric(18, 6) as fine_wan_yuan,
    rec.amount_wan_yuan::numeric(18, 6) as amount_wan_yuan,
    rec.publication_rule::text as publication_rule,
    rec.publication_max_end_date::date as publication_end_date,
    rec.is_under_objection::boolean as is_under_objection
from {{ ref('mart_publication__record') }} as rec
where {{ released('rec') }}
