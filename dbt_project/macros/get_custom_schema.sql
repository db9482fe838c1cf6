{# Layers live in schemas named after the layer (staging, core, pub …), not "<target>_<layer>":
   downstream systems are granted the schema "pub" by name. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
