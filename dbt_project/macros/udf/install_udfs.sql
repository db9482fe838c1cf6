{# Installs the project's SQL functions into schema "util", before every dbt run. Each function
   macro returns one "create or replace function" statement; list new ones here, callees first. #}
{% macro install_udfs() %}
  {% set statements = [
      serialise_hook('install_udfs'),
      "create schema if not exists util",
      udf_normalise_code(),
      udf_uscc_check_char(),
      udf_org_code_check_char(),
      udf_id_number_check_char(),
      udf_mod_11_10_is_valid(),
      udf_uscc_status(),
      udf_normalise_uscc(),
      udf_org_code_status(),
      udf_registration_number_status(),
      udf_normalise_id_number(),
      udf_id_number_status_at(),
      udf_id_number_status(),
      udf_mask_id_number(),
      "set check_function_bodies = off",
      udf_clean_text(), udf_lookup_key(), udf_nfkc(), udf_date_from_parts(), udf_iso_date(),
      udf_parse_date_general(),
      udf_parse_date(), udf_date_format_general(), udf_date_format(),
      udf_parse_decimal(), udf_lookup_value(), udf_lookup_value_inline(), udf_lookup_values(),
      udf_pii_hash(),
      udf_normalise_name(),
  ] %}
  {{ return(statements | join(";\n")) }}
{% endmacro %}

{# For "dbt run-operation install_udfs_now" (tests, first set-up): run the same statements now. #}
{% macro install_udfs_now() %}
  {% do run_query(install_udfs()) %}
{% endmacro %}

{# One at a time: dbt invocations that run side by side (Dagster runs independent dbt steps in
   parallel) would otherwise replace the same catalogue rows at once, and PostgreSQL fails one of
   them with "tuple concurrently updated". The lock is held to the end of the hook's transaction. #}
{% macro serialise_hook(name) -%}
  select pg_advisory_xact_lock(hashtext('credit_warehouse.{{ name }}'))
{%- endmacro %}
