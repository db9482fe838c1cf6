-- 行政处罚 double-publicity table in the standard's layout (REFERENCE §3; column names are the
-- field codes, lower case). Only current versions inside their publication window, not corrected,
-- revoked or repaired, and only from loads the quality gate released. ID numbers are redacted.
{{ config(alias='double_publicity_penalty', materialized='view') }}

select
    rec.record_key::text as record_key,
    rec.subject_id::text as subject_id,
    rec.subject_name::text as cf_xdr_mc,
    rec.subject_category::text as cf_xdr_lb,
    rec.uscc::text as cf_xdr_shxym,
    rec.registration_number::text as cf_xdr_gszc,
    rec.org_code::text as cf_xdr_zzjg,
    (rec.details ->> 'tax_registration_number')::text as cf_xdr_swdj,
    (rec.details ->> 'institution_cert_number')::text as cf_xdr_sydw,
    (rec.details ->> 'social_org_cert_number')::text as cf_xdr_shzz,
    rec.legal_rep_name::text as cf_frdb,
    (rec.details ->> 'legal_rep_id_type')::text as cf_fr_zjlx,
    {{ public_id_number('rec.legal_rep_id_number_masked') }}::text as cf_fr_zjhm,
    rec.id_type::text as cf_xdr_zjlx,
    {{ public_id_number('rec.id_number_masked') }}::text as cf_xdr_zjhm,
    rec.decision_number::text as cf_wsh,
    rec.violation_type::text as cf_wfxw,
    (rec.details ->> 'violation_facts')::text as cf_sy,
    (rec.details ->> 'legal_basis')::text as cf_yj,
    rec.penalty_types::text as cf_cflb,
    rec.record_content::text as cf_nr,
    rec.fine_wan_yuan::numeric(18, 6) as cf_nr_fk,
    rec.confiscated_wan_yuan::numeric(18, 6) as cf_nr_wfff,
    (rec.details ->> 'licence_revoked')::text as cf_nr_zkdx,
    rec.decision_date::date as cf_jdrq,
    coalesce(rec.valid_until, date '2099-12-31')::date as cf_yxq,
    rec.publication_max_end_date::date as cf_gsjzq,
    rec.authority_name::text as cf_cfjg,
    rec.authority_uscc::text as cf_cfjgdm,
    rec.source_department::text as cf_sjly,
    rec.source_department_uscc::text as cf_sjlydm,
    rec.remarks::text as bz,
    rec.sector_slug::text as sector_slug,
    rec.severity::text as severity,
    rec.publication_rule::text as publication_rule,
    rec.is_under_objection::boolean as is_under_objection
from {{ ref('mart_publication__record') }} as rec
where rec.act_kind = 'penalty'
  and {{ released('rec') }}
