{# Downstream systems read the published schema and nothing else: the group role credit_reader
   gets USAGE on schema pub, SELECT on its views and EXECUTE on pub.credit_check; the login role
   credit_downstream (password from CREDIT_DOWNSTREAM_PASSWORD) is a member of it. No other schema
   is granted, so raw, staging, core and the restricted key stay out of reach. Runs at the end of
   every dbt run so new published models are covered. #}
{% macro grant_downstream_access() %}
  {% set password = env_var('CREDIT_DOWNSTREAM_PASSWORD', 'downstream-dev-password') | replace("'", "''") %}
  {% set statements %}
    {{ serialise_hook('grant_downstream_access') }};
    do $$
    begin
      if not exists (select 1 from pg_roles where rolname = 'credit_reader') then
        create role credit_reader nologin;
      end if;
      if not exists (select 1 from pg_roles where rolname = 'credit_downstream') then
        create role credit_downstream login;
      end if;
    end $$;
    alter role credit_downstream with login password '{{ password }}';
    grant credit_reader to credit_downstream;
    create schema if not exists pub;
    grant usage on schema pub to credit_reader;
    grant select on all tables in schema pub to credit_reader;
    revoke all on all functions in schema pub from public;
    grant execute on all functions in schema pub to credit_reader;
  {% endset %}
  {{ return(statements) }}
{% endmacro %}
