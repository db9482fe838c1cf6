{# SQL twin of credit/names.py:normalise_name — keep the two in step (a property test holds them
   to the same answers). #}
{% macro udf_normalise_name() %}
create or replace function util.normalise_name(v text) returns text
language sql immutable parallel safe as $fn$
  select nullif(
    replace(
      translate(upper(regexp_replace(normalize(v, NFKC), '\s+', '', 'g')), '〔〕【】[]{}', '(()()()()'),
      '有限责任公司', '有限公司'),
    '')
$fn$
{% endmacro %}
