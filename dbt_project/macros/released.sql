{# Keeps only rows of loads the quality gate released for their sector (audit.sector_release). #}
{% macro released(relation_alias) -%}
exists (
    select 1 from {{ source('audit', 'sector_release') }} as release
    where release.sector_slug = {{ relation_alias }}.sector_slug
      and {{ relation_alias }}.load_id <= release.released_up_to_load_id
)
{%- endmacro %}

{# How a natural person's ID number appears in public views (REFERENCE §2: fully redacted by
   default; --vars '{public_id_mask: partial}' shows the internal 6+4 form). #}
{% macro public_id_number(masked_column) -%}
{%- if var('public_id_mask', 'full') == 'partial' -%}{{ masked_column }}
{%- else -%}case when {{ masked_column }} is not null then repeat('*', 18) end
{%- endif -%}
{%- endmacro %}
