{#
  Identifier standardisation in SQL: the twins of credit/identifiers.py, same names, same answers
  (tests/property/test_identifiers_sql_equals_python.py compares them on tens of thousands of
  generated values). Rules and statuses: docs/identifiers.md.

  Each macro returns one "create or replace function" statement; install_udfs() lists them,
  callees first. Written for speed over millions of rows (measured, see docs/identifiers.md):
  * normalise_code and the check-character helpers are single-expression "language sql"
    functions, which the planner inlines; weighted sums are unrolled here by Jinja, characters
    are read with ascii(substr(..)) and valued through small bytea look-up tables;
  * the ISO 7064 MOD 11,10 recursion is unrolled as nested look-ups in a 10x10 bytea table;
  * the top-level functions are plpgsql, so the argument is normalised once (an inlined SQL body
    would repeat the normalisation at every reference; a non-inlined SQL function with a FROM
    clause measured 3-4 times slower than plpgsql).
  Only ASCII letters are upper-cased (upper(.. collate "C")), so nothing depends on the locale.
#}

{# The characters normalise_code deletes after NFKC, as a regular-expression bracket; must equal
   STRIPPED_CHARACTERS in credit/identifiers.py: whitespace (incl. zero-width ones and the BOM),
   hyphens/dashes/minus (incl. soft hyphen), underscore, dots (. · 。 ・). No ranges, so the
   class means the same in every collation; "-" last. #}
{% macro udf_identifiers_stripped_class() -%}
E'[\t\n\x0b\x0c\r \u0085\u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212_.\u00b7\u3002\u30fb-]'
{%- endmacro %}

{# A bytea look-up table from character code (minus 48, i.e. '0'..'Z') to the character's value
   in `charset` (its index); characters outside the charset map to 0 (callers check the format
   first). #}
{% macro udf_identifiers_value_table(charset) -%}
{%- set ascii_48_to_90 = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ" -%}
'\x{% for ch in ascii_48_to_90 %}{{ "%02x" | format([charset.find(ch), 0] | max) }}{% endfor %}'::bytea
{%- endmacro %}

{% macro udf_normalise_code() %}
create or replace function util.normalise_code(t text) returns text
language sql immutable parallel safe
as $$
  -- NFKC (full-width -> half-width; skipped for pure ASCII, which it leaves unchanged), delete
  -- whitespace/hyphens/underscores/dots, upper-case ASCII letters; '' -> null.
  select nullif(
    upper(
      regexp_replace(
        case when octet_length(t) = length(t) then t else normalize(t, NFKC) end,
        {{ udf_identifiers_stripped_class() }}, '', 'g'
      ) collate "C"
    ),
    ''
  )
$$
{% endmacro %}

{# GB 32100 check character (position 18) over the first 17 characters; argument well-formed.
   check = charset[(31 - sum(v_i * w_i) mod 31) mod 31], w_i = 3^(i-1) mod 31. #}
{% macro udf_uscc_check_char() %}
{%- set charset = "0123456789ABCDEFGHJKLMNPQRTUWXY" -%}
{%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
create or replace function util.uscc_check_char(code text) returns text
language sql immutable parallel safe
as $$
  select substr('{{ charset }}', (31 - (
    {%- for w in weights %}
    {% if not loop.first %}+ {% endif %}get_byte({{ udf_identifiers_value_table(charset) }}, ascii(substr(code, {{ loop.index }}, 1)) - 48) * {{ w }}
    {%- endfor %}
  ) % 31) % 31 + 1, 1)
$$
{% endmacro %}

{# GB 11714 check character over the first 8 characters (values 0-9, A=10 … Z=35), argument
   well-formed; c = 11 - (sum mod 11), 10 -> X, 11 -> 0. #}
{% macro udf_org_code_check_char() %}
{%- set charset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" -%}
{%- set weights = [3, 7, 9, 10, 5, 8, 4, 2] -%}
create or replace function util.org_code_check_char(code text) returns text
language sql immutable parallel safe
as $$
  select substr('123456789X0', 11 - (
    {%- for w in weights %}
    {% if not loop.first %}+ {% endif %}get_byte({{ udf_identifiers_value_table(charset) }}, ascii(substr(code, {{ loop.index }}, 1)) - 48) * {{ w }}
    {%- endfor %}
  ) % 11, 1)
$$
{% endmacro %}

{# GB 11643 check character over the first 17 digits: "10X98765432"[sum(d_i * w_i) mod 11]. #}
{% macro udf_id_number_check_char() %}
{%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
create or replace function util.id_number_check_char(code text) returns text
language sql immutable parallel safe
as $$
  select substr('10X98765432', (
    {%- for w in weights %}
    {% if not loop.first %}+ {% endif %}(ascii(substr(code, {{ loop.index }}, 1)) - 48) * {{ w }}
    {%- endfor %}
  ) % 11 + 1, 1)
$$
{% endmacro %}

{# ISO 7064 MOD 11,10 over all 15 digits (argument well-formed): true when the check digit, the
   15th, is right. State s (0-9) starts at 5; s' = (((s or 10) * 2) mod 11 + digit) mod 10; valid
   when the final s = 1. Byte s*10 + d of the table is s' for state s and digit d. #}
{% macro udf_mod_11_10_is_valid() %}
{%- set ns = namespace(table="", expr="5") -%}
{%- for s in range(10) -%}{%- for d in range(10) -%}
  {%- set ns.table = ns.table ~ ("%02x" | format(((((s or 10) * 2) % 11 + d) % 10))) -%}
{%- endfor -%}{%- endfor -%}
{%- for i in range(1, 16) -%}
  {%- set ns.expr = "get_byte('\\x" ~ ns.table ~ "'::bytea, (" ~ ns.expr ~ ") * 10 + ascii(substr(code, " ~ i ~ ", 1)) - 48)" -%}
{%- endfor -%}
create or replace function util.mod_11_10_is_valid(code text) returns boolean
language sql immutable parallel safe
as $$
  select {{ ns.expr }} = 1
$$
{% endmacro %}

{% macro udf_uscc_status() %}
create or replace function util.uscc_status(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text := util.normalise_code(t);
begin
  if c is null or c in ('00000000000000000X', '000000000000000000') then
    return 'absent';
  elsif c !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' then
    return 'invalid_format';
  elsif substr(c, 18, 1) <> util.uscc_check_char(c)
        or substr(c, 17, 1) <> util.org_code_check_char(substr(c, 9, 8)) then
    return 'invalid_check';
  end if;
  return 'valid';
end
$$
{% endmacro %}

{% macro udf_normalise_uscc() %}
create or replace function util.normalise_uscc(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text := util.normalise_code(t);
begin
  -- The normalised code when it has the USCC format (checks passing or not), else null.
  if c ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'
     and c not in ('00000000000000000X', '000000000000000000') then
    return c;
  end if;
  return null;
end
$$
{% endmacro %}

{% macro udf_org_code_status() %}
create or replace function util.org_code_status(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text := util.normalise_code(t);
begin
  if c is null or c in ('00000000X', '000000000') then
    return 'absent';
  elsif c !~ '^[0-9A-Z]{9}$' then
    return 'invalid_format';
  elsif substr(c, 9, 1) <> util.org_code_check_char(c) then
    return 'invalid_check';
  end if;
  return 'valid';
end
$$
{% endmacro %}

{% macro udf_registration_number_status() %}
create or replace function util.registration_number_status(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text := util.normalise_code(t);
begin
  if c is null or c = '000000000000000' then
    return 'absent';
  elsif c !~ '^[0-9]{15}$' then
    return 'invalid_format';
  elsif not util.mod_11_10_is_valid(c) then
    return 'invalid_check';
  end if;
  return 'valid';
end
$$
{% endmacro %}

{# PL/pgSQL fragment shared by the ID-number functions: from the argument t, set c (normalised
   code) and n (18-character form: 17 digits + 0-9/X as is; 15 digits upgraded with '19' after
   the division and the check character appended), then run `absent` for absent values (null,
   all-zero placeholders) or `invalid` for anything else that is no ID number. #}
{% macro udf_id_number_fragment(absent, invalid) %}
  c := util.normalise_code(t);
  if c is null or c in ('00000000000000000X', '000000000000000000', '000000000000000') then
    {{ absent }}
  elsif c ~ '^[0-9]{17}[0-9X]$' then
    n := c;
  elsif c ~ '^[0-9]{15}$' then
    n := substr(c, 1, 6) || '19' || substr(c, 7);
    n := n || util.id_number_check_char(n);
  else
    {{ invalid }}
  end if;
{% endmacro %}

{% macro udf_normalise_id_number() %}
create or replace function util.normalise_id_number(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text;
  n text;
begin
  {{- udf_id_number_fragment("return null;", "return null;") }}
  return n;
end
$$
{% endmacro %}

{# Birth date (positions 7-14) must be a calendar date in [1900-01-01, today]. This two-argument
   form takes "today" (immutable); util.id_number_status(t) passes current_date. #}
{% macro udf_id_number_status_at() %}
create or replace function util.id_number_status(t text, today date) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text;
  n text;
  y integer;
  m integer;
  d integer;
begin
  {{- udf_id_number_fragment("return 'absent';", "return 'invalid_format';") }}
  y := substr(n, 7, 4)::integer;
  m := substr(n, 11, 2)::integer;
  d := substr(n, 13, 2)::integer;
  if y < 1900 or m < 1 or m > 12 or d < 1
     or d > (case when m = 2 then
                    (case when y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0) then 29 else 28 end)
                  when m in (4, 6, 9, 11) then 30
                  else 31 end) then  -- parenthesised: plpgsql ends an IF condition at "then"
    return 'invalid_date';
  elsif make_date(y, m, d) > today then  -- only reached with a real calendar date
    return 'invalid_date';
  elsif substr(n, 18, 1) <> util.id_number_check_char(n) then
    return 'invalid_check';
  end if;
  return 'valid';
end
$$
{% endmacro %}

{% macro udf_id_number_status() %}
create or replace function util.id_number_status(t text) returns text
language sql stable parallel safe
as $$
  select util.id_number_status(t, current_date)
$$
{% endmacro %}

{% macro udf_mask_id_number() %}
create or replace function util.mask_id_number(t text) returns text
language plpgsql immutable parallel safe
as $$
declare
  c text;
  n text;
begin
  -- Internal views: first 6 + 8 stars + last 4; null when absent; anything that is no ID number
  -- (a passport number, junk) fully redacted.
  {{- udf_id_number_fragment("return null;", "return '******************';") }}
  return substr(n, 1, 6) || '********' || substr(n, 15, 4);
end
$$
{% endmacro %}
