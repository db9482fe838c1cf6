{# Parsing helpers the staging models call. Kept free of exception blocks: they run over millions
   of rows and a plpgsql EXCEPTION clause costs a subtransaction per call. #}

{% macro udf_clean_text() %}
create or replace function util.clean_text(v text) returns text
language sql immutable parallel safe as $fn$
  -- trims ASCII and ideographic whitespace; an empty value is NULL
  select nullif(btrim(v, E' \t\r\n\u3000\u00a0'), '')
$fn$
{% endmacro %}

{% macro udf_lookup_key() %}
create or replace function util.lookup_key(v text) returns text
language sql immutable parallel safe as $fn$
  -- the key a value lookup matches on: NFKC (full-width → half-width), no spaces, upper case
  select nullif(upper(regexp_replace(normalize(v, NFKC), '\s+', '', 'g')), '')
$fn$
{% endmacro %}

{# The dates feeds send are almost all ASCII YYYY-MM-DD or YYYY/MM/DD. parse_date and date_format
   are single-expression SQL functions (inlined into the staging views) that read that shape
   directly, without NFKC and without a plpgsql call; any other value goes to the plpgsql
   *_general functions, the full rules, which normalise it once. The shape's pattern uses [0-9],
   not \d, so it is ASCII only: NFKC and btrim leave such a value as it is. #}
{% macro udf_iso_date_shape() -%}
'^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}$'
{%- endmacro %}

{% macro udf_nfkc() %}
create or replace function util.nfkc(v text) returns text
language sql immutable parallel safe as $fn$
  -- normalize(v, NFKC), skipped for pure ASCII (octet_length = length), which it leaves as it is
  select case when octet_length(v) = length(v) then v else normalize(v, NFKC) end
$fn$
{% endmacro %}

{% macro udf_date_from_parts() %}
create or replace function util.date_from_parts(y int, m int, d int) returns date
language sql immutable parallel safe as $fn$
  -- the date, or NULL for a year before 1900 or a month/day that does not exist (Gregorian)
  select case
    when y >= 1900 and m between 1 and 12 and d >= 1
         and d <= case when m = 2 then case when y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0)
                                            then 29 else 28 end
                       when m in (4, 6, 9, 11) then 30
                       else 31 end
    then make_date(y, m, d)
  end
$fn$
{% endmacro %}

{% macro udf_iso_date() %}
create or replace function util.iso_date(v text) returns date
language sql immutable parallel safe as $fn$
  -- a value of the shape udf_iso_date_shape() as a date (NULL if it does not exist)
  select util.date_from_parts(substr(v, 1, 4)::int, substr(v, 6, 2)::int, substr(v, 9, 2)::int)
$fn$
{% endmacro %}

{% macro udf_parse_date_general() %}
create or replace function util.parse_date_general(v text) returns date
language plpgsql immutable parallel safe as $fn$
declare
  s text := btrim(util.nfkc(coalesce(v, '')));
  parts text[];
begin
  if s = '' then
    return null;
  end if;
  parts := regexp_match(s, '^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$');
  if parts is null then
    parts := regexp_match(s, '^(\d{4})(\d{2})(\d{2})$');
  end if;
  if parts is null then
    -- Excel stores dates as days since 1899-12-30; serials 1–2958465 cover years 1900–9999
    if s ~ '^\d{1,7}(\.0+)?$' and floor(s::numeric) between 1 and 2958465 then
      return date '1899-12-30' + floor(s::numeric)::int;
    end if;
    return null;
  end if;
  return util.date_from_parts(parts[1]::int, parts[2]::int, parts[3]::int);
end
$fn$
{% endmacro %}

{% macro udf_parse_date() %}
create or replace function util.parse_date(v text) returns date
language sql immutable parallel safe as $fn$
  -- YYYY-MM-DD, YYYY/MM/DD, YYYY年MM月DD日 (a time after it is ignored), YYYYMMDD, an Excel
  -- serial; full-width digits are read (NFKC); a date that does not exist is NULL
  select case when v ~ {{ udf_iso_date_shape() }} then util.iso_date(v)
              else util.parse_date_general(v) end
$fn$
{% endmacro %}

{% macro udf_date_format_general() %}
create or replace function util.date_format_general(v text) returns text
language plpgsql immutable parallel safe as $fn$
declare
  s text;
begin
  if util.clean_text(v) is null then
    return null;
  end if;
  if util.parse_date_general(v) is null then
    return 'unparseable';
  end if;
  s := btrim(util.nfkc(v));
  return case
    when s ~ '^\d{4}[-/]\d{1,2}[-/]\d{1,2}' then 'standard'
    when s ~ '^\d{8}$' then 'yyyymmdd'
    when s ~ '^\d{1,7}(\.0+)?$' then 'excel_serial'
    else 'other'
  end;
end
$fn$
{% endmacro %}

{% macro udf_date_format() %}
create or replace function util.date_format(v text) returns text
language sql immutable parallel safe as $fn$
  -- which way a date was written: the standard's YYYY/MM/DD (or ISO), or a variant to report
  -- (yyyymmdd, excel_serial, other); 'unparseable' if parse_date gives NULL; NULL if empty
  select case when v ~ {{ udf_iso_date_shape() }}
              then case when util.iso_date(v) is null then 'unparseable' else 'standard' end
              else util.date_format_general(v) end
$fn$
{% endmacro %}

{% macro udf_parse_decimal() %}
create or replace function util.parse_decimal(v text) returns numeric
language sql immutable parallel safe as $fn$
  -- thousands separators, currency signs and unit words are dropped; anything else is NULL
  select case when s ~ '^[-+]?\d+(\.\d+)?$' then s::numeric end
  from (select regexp_replace(normalize(coalesce(v, ''), NFKC), '[\s,¥￥]|万元|元', '', 'g') as s) t
$fn$
{% endmacro %}

{% macro udf_lookup_value() %}
create or replace function util.lookup_value(lookup text, v text) returns text
language sql stable parallel safe as $fn$
  -- the first definition, for a database without the seed yet; udf_lookup_value_inline()
  -- replaces it by one that holds the seed as a constant
  select canonical_value from ref.ref_value_lookup
  where lookup_name = lookup and alias_key = util.lookup_key(v)
$fn$
{% endmacro %}

{# util.lookup_value re-created with the seed ref.ref_value_lookup as a jsonb constant
   ({lookup_name: {alias_key: canonical_value}}), so its body is one expression without FROM and
   PostgreSQL inlines it into the calling query (the lookup name, a literal in the staging models,
   is then folded at plan time): ~10x cheaper than the table-reading definition, which is never
   inlined. Same answers: rows with a NULL lookup_name or alias_key never matched "=", a NULL
   canonical_value is a JSON null (->> gives NULL). Run after the seed is (re)loaded (its
   post-hook) and by install_udfs. While the seed table is missing, or if a (lookup_name,
   alias_key) pair has several rows, it (re)installs the table-reading definition instead. #}
{% macro udf_lookup_value_inline() %}
do $do$
declare
  lookups text;
begin
  if to_regclass('ref.ref_value_lookup') is not null then
    if not exists (select from ref.ref_value_lookup
                   where lookup_name is not null and alias_key is not null
                   group by lookup_name, alias_key having count(*) > 1) then
      select coalesce(jsonb_object_agg(lookup_name, aliases), '{}'::jsonb)::text into lookups
      from (select lookup_name, jsonb_object_agg(alias_key, canonical_value) as aliases
            from ref.ref_value_lookup
            where lookup_name is not null and alias_key is not null
            group by lookup_name) t;
    end if;
  end if;
  if lookups is null then
    -- its body names the seed table, which may not exist yet
    perform set_config('check_function_bodies', 'off', true);
    execute $udf${{ udf_lookup_value() }}$udf$;
  else
    execute format(
      'create or replace function util.lookup_value(lookup text, v text) returns text '
      'language sql stable parallel safe as %L',
      format('select (%L::jsonb -> lookup) ->> util.lookup_key(v)', lookups));
  end if;
end
$do$
{% endmacro %}

{% macro udf_lookup_values() %}
create or replace function util.lookup_values(lookup text, v text, separators text) returns text
language sql stable parallel safe as $fn$
  -- a field that may hold several values: every part must be known, else the field is NULL
  select case when count(*) = count(l.canonical_value)
              then string_agg(distinct l.canonical_value, '、' order by l.canonical_value) end
  from regexp_split_to_table(v, '[' || separators || ']') as part
  left join ref.ref_value_lookup l
    on l.lookup_name = lookup and l.alias_key = util.lookup_key(part)
  where util.clean_text(part) is not null
$fn$
{% endmacro %}

{% macro udf_pii_hash() %}
create or replace function util.pii_hash(v text) returns text
language sql stable parallel safe as $fn$
  -- HMAC-SHA256 with the key from CREDIT_PII_HASH_KEY. The key's inner and outer pads are
  -- stored (restricted schema) by credit.pii.install_key; pgcrypto is not in the embedded server.
  select encode(sha256(k.outer_pad || sha256(k.inner_pad || convert_to(v, 'UTF8'))), 'hex')
  from restricted.pii_key k
  where v is not null
$fn$
{% endmacro %}
