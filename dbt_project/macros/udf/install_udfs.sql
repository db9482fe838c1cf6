{# Installs the project's SQL functions into schema "util", before every dbt run. Each function
   macro returns one "create or replace function" statement; list new ones here, callees first. #}
{% macro install_udfs() %}
  {% set statements = [
      "create schema if not exists util",
  ] %}
  {{ return(statements | join(";\n")) }}
{% endmacro %}

{# For "dbt run-operation install_udfs_now" (tests, first set-up): run the same statements now. #}
{% macro install_udfs_now() %}
  {% do run_query(install_udfs()) %}
{% endmacro %}
