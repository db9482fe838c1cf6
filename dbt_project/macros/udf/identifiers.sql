{#
  Identifier standardisation in SQL: the twins of credit/identifiers.py, same names, same answers
  (tests/property/test_identifiers_sql_equals_python.py compares them on tens of thousands of
  generated values). Rules and statuses: docs/identifiers.md.

  Each macro returns one "create or replace function" statement; install_udfs() lists them,
  callees first. Design, for speed over millions of rows:
  * the check-character helpers are single-expression "language sql" functions that the planner
    inlines; the weighted sums are unrolled here by Jinja (no loops, no subqueries);
  * the ISO 7064 MOD 11,10 recursion is unrolled as nested look-ups in a 10×10 transition table;
  * the top-level functions normalise their argument once ("from util.normalise_code(t) as c")
    and then test the normalised code.
  Only ASCII letters are upper-cased (translate, not upper()), so nothing depends on the locale.
#}

{# Characters deleted by normalise_code after NFKC; must equal STRIPPED_CHARACTERS in
   credit/identifiers.py: whitespace (incl. zero-width, BOM), hyphens/dashes, underscore, dots. #}
{% macro udf_identifiers_stripped_characters() -%}
E'\t\n\x0b\x0c\r \u0085\u00a0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212_.\u00b7\u3002\u30fb'
{%- endmacro %}

{% macro udf_normalise_code() %}
create or replace function util.normalise_code(t text) returns text
language sql immutable parallel safe
as $$
  -- NFKC (full-width -> half-width), delete whitespace/hyphens/underscores/dots, upper-case a-z.
  select nullif(
    translate(
      normalize(t, NFKC),
      'abcdefghijklmnopqrstuvwxyz' || {{ udf_identifiers_stripped_characters() }},
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
    ),
    ''
  )
$$
{% endmacro %}

{# GB 32100 check character (position 18) over the first 17 characters; argument well-formed. #}
{% macro udf_uscc_check_char() %}
{%- set charset = "0123456789ABCDEFGHJKLMNPQRTUWXY" -%}
{%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
create or replace function util.uscc_check_char(code text) returns text
language sql immutable parallel safe
as $$
  select substr('{{ charset }}', (31 - (
    {%- for w in weights %}
    {% if not loop.first %}+ {% endif %}(strpos('{{ charset }}', substr(code, {{ loop.index }}, 1)) - 1) * {{ w }}
    {%- endfor %}
  ) % 31) % 31 + 1, 1)
$$
{% endmacro %}

{# GB 11714 check character over the first 8 characters (values 0-9, A=10 … Z=35);
   c = 11 - (sum mod 11), 10 -> X, 11 -> 0. #}
{% macro udf_org_code_check_char() %}
{%- set charset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" -%}
{%- set weights = [3, 7, 9, 10, 5, 8, 4, 2] -%}
create or replace function util.org_code_check_char(code text) returns text
language sql immutable parallel safe
as $$
  select substr('123456789X0', 11 - (
    {%- for w in weights %}
    {% if not loop.first %}+ {% endif %}(strpos('{{ charset }}', substr(code, {{ loop.index }}, 1)) - 1) * {{ w }}
    {%- endfor %}
  ) % 11, 1)
$$
{% endmacro %}

{# GB 11643 check character over the first 17 digits. #}
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

{# ISO 7064 MOD 11,10 over all 15 digits: true when the check digit (the 15th) is right.
   State s (0-9) starts at 5; s' = (((s or 10) * 2) mod 11 + digit) mod 10; valid when s = 1.
   Character s*10 + d + 1 of the table is s' for state s and digit d. #}
{% macro udf_mod_11_10_is_valid() %}
{%- set table = [] -%}
{%- for s in range(10) -%}{%- for d in range(10) -%}
  {%- do table.append(((((s or 10) * 2) % 11 + d) % 10) | string) -%}
{%- endfor -%}{%- endfor -%}
{%- set ns = namespace(expr="53") -%}  {# ascii('5'): the initial state, as a character code #}
{%- for i in range(1, 16) -%}
  {%- set ns.expr = "ascii(substr('" ~ (table | join) ~ "', (" ~ ns.expr ~ " - 48) * 10 + ascii(substr(code, " ~ i ~ ", 1)) - 47, 1))" -%}
{%- endfor -%}
create or replace function util.mod_11_10_is_valid(code text) returns boolean
language sql immutable parallel safe
as $$
  select {{ ns.expr }} = 49
$$
{% endmacro %}

{% macro udf_uscc_status() %}
create or replace function util.uscc_status(t text) returns text
language sql immutable parallel safe
as $$
  select case
    when c is null or c ~ '^0{17}[0X]$' then 'absent'
    when c !~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$' then 'invalid_format'
    when substr(c, 18, 1) <> util.uscc_check_char(c)
      or substr(c, 17, 1) <> util.org_code_check_char(substr(c, 9, 8)) then 'invalid_check'
    else 'valid'
  end
  from util.normalise_code(t) as c
$$
{% endmacro %}

{% macro udf_normalise_uscc() %}
create or replace function util.normalise_uscc(t text) returns text
language sql immutable parallel safe
as $$
  -- The normalised code when it has the USCC format (checks passing or not), else null.
  select case when util.uscc_status(c) in ('valid', 'invalid_check') then c end
  from util.normalise_code(t) as c
$$
{% endmacro %}

{% macro udf_org_code_status() %}
create or replace function util.org_code_status(t text) returns text
language sql immutable parallel safe
as $$
  select case
    when c is null or c ~ '^0{8}[0X]$' then 'absent'
    when c !~ '^[0-9A-Z]{9}$' then 'invalid_format'
    when substr(c, 9, 1) <> util.org_code_check_char(c) then 'invalid_check'
    else 'valid'
  end
  from util.normalise_code(t) as c
$$
{% endmacro %}

{% macro udf_registration_number_status() %}
create or replace function util.registration_number_status(t text) returns text
language sql immutable parallel safe
as $$
  select case
    when c is null or c = '000000000000000' then 'absent'
    when c !~ '^[0-9]{15}$' then 'invalid_format'
    when not util.mod_11_10_is_valid(c) then 'invalid_check'
    else 'valid'
  end
  from util.normalise_code(t) as c
$$
{% endmacro %}

{% macro udf_normalise_id_number() %}
create or replace function util.normalise_id_number(t text) returns text
language sql immutable parallel safe
as $$
  -- 18-character form: 17 digits + 0-9/X as is; 15 digits upgraded ('19' after the division,
  -- check character appended); null for absent values (incl. all-zero placeholders) and junk.
  select case
    when c is null or c ~ '^(0{17}[0X]|0{15})$' then null
    when c ~ '^[0-9]{17}[0-9X]$' then c
    when c ~ '^[0-9]{15}$' then u || util.id_number_check_char(u)
  end
  from util.normalise_code(t) as c,
       concat(substr(c, 1, 6), '19', substr(c, 7)) as u
$$
{% endmacro %}

{# Birth date (positions 7-14) must be a calendar date in [1900-01-01, today]. The one-argument
   form uses current_date (hence stable); the two-argument form takes "today" (immutable). #}
{% macro udf_id_number_status_at() %}
create or replace function util.id_number_status(t text, today date) returns text
language sql immutable parallel safe
as $$
  select case
    when n is null then
      case when c is null or c ~ '^(0{17}[0X]|0{15})$' then 'absent' else 'invalid_format' end
    when y < 1900 or m not between 1 and 12 or d < 1
      or d > case when m = 2 then
                  case when y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0) then 29 else 28 end
                when m in (4, 6, 9, 11) then 30
                else 31 end
      then 'invalid_date'
    when make_date(y, m, d) > today then 'invalid_date'
    when substr(n, 18, 1) <> util.id_number_check_char(n) then 'invalid_check'
    else 'valid'
  end
  from util.normalise_code(t) as c,
       util.normalise_id_number(t) as n,
       cast(substr(n, 7, 4) as integer) as y,
       cast(substr(n, 11, 2) as integer) as m,
       cast(substr(n, 13, 2) as integer) as d
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
language sql immutable parallel safe
as $$
  -- Internal views: first 6 + 8 stars + last 4; null when absent; junk fully redacted.
  select case
    when n is not null then substr(n, 1, 6) || '********' || substr(n, 15, 4)
    when c is null or c ~ '^(0{17}[0X]|0{15})$' then null
    else '******************'
  end
  from util.normalise_code(t) as c,
       util.normalise_id_number(t) as n
$$
{% endmacro %}
