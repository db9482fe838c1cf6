-- 行政许可 double-publicity table in the standard's layout (REFERENCE §3; column names are the
-- field codes, lower case). Only current versions still valid (a licence is published while it is
-- in force), not revoked, and only from loads the quality gate released. ID numbers are redacted.
{{ config(alias='double_publicity_licence', materialized='view') }}

select
    rec.record_key::text as record_key,
    rec.subject_id::text as subject_id,
    rec.subject_name::text as xk_xdr_mc,
    rec.subject_category::text as xk_xdr_lb,
    rec.uscc::text as xk_xdr_shxym,
    rec.registration_number::text as xk_xdr_gszc,
    rec.org_code::text as xk_xdr_zzjg,
    (rec.details ->> 'tax_registration_number')::text as xk_xdr_swdj,
    (rec.details ->> 'institution_cert_number')::text as xk_xdr_sydw,
    (rec.details ->> 'social_org_cert_number')::text as xk_xdr_shzz,
    rec.legal_rep_name::text as xk_frdb,
    (rec.details ->> 'legal_rep_id_type')::text as xk_fr_zjlx,
    {{ public_id_number('rec.legal_rep_id_number_masked') }}::text as xk_fr_zjhm,
    rec.id_type::text as xk_xdr_zjlx,
    {{ public_id_number('rec.id_number_masked') }}::text as xk_xdr_zjhm,
    (rec.details ->> 'licence_document_name')::text as xk_xkws,
    rec.decision_number::text as xk_wsh,
    (rec.details ->> 'licence_category')::text as xk_xklb,
    (rec.details ->> 'licence_certificate_name')::text as xk_xkzs,
    (rec.details ->> 'licence_number')::text as xk_xkbh,
    rec.record_content::text as xk_nr,
    rec.decision_date::date as xk_jdrq,
    rec.valid_from::date as xk_yxqz,
    coalesce(rec.valid_until, date '2099-12-31')::date as xk_yxqzi,
    rec.authority_name::text as xk_xkjg,
    rec.authority_uscc::text as xk_xkjgdm,
    (rec.details ->> 'licence_status')::text as xk_zt,
    rec.source_department::text as xk_lydw,
    rec.source_department_uscc::text as xk_lydwdm,
    rec.remarks::text as bz,
    rec.sector_slug::text as sector_slug
from {{ ref('mart_publication__record') }} as rec
where rec.act_kind = 'licence'
  and {{ released('rec') }}
