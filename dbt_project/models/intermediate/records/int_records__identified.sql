-- Each record's identifiers, validated and normalised, and the kind of subject it is about.
-- valid_* columns hold an identifier only when it passes its check (REFERENCE §2); a code that
-- fails is kept as sent (normalised) in uscc / registration_number / org_code, and never used to
-- merge records.
-- A view: int_records__keyed reads the few columns it needs from it once (no wide copy of every
-- record here); int_records__resolved carries the record's full row.
{{ config(materialized='view') }}

with records as (

    select * from {{ ref('int_records__unioned') }}

),

identified as (

    select
        -- the raw row this record came from: raw.<feed_key> where _load_id, _row_number match
        md5(concat_ws('|', feed_key, load_id, source_row_number)) as record_row_id,
        records.*,
        case
            when subject_category = '自然人' then 'natural_person'
            when subject_category = '个体工商户' then 'individual_business'
            when subject_category = '法人及非法人组织' then 'organisation'
            when id_number__status = 'valid' then 'natural_person'
            else 'organisation'
        end as subject_kind,
        case when uscc__status = 'valid' then uscc end as valid_uscc,
        case when util.registration_number_status(registration_number) = 'valid'
             then registration_number end as valid_registration_number,
        case when util.org_code_status(org_code) = 'valid'
             then org_code end as valid_org_code,
        case when id_number__status = 'valid' then id_number_hash end as valid_id_number_hash,
        util.normalise_name(subject_name) as name_key
    from records

)

select * from identified
