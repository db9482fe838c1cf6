{# The loads an incremental model takes in this run, as a SQL condition on `column` (a load id).

   Lower bound: on an incremental run, everything after the highest load the model already holds
   (per feed when `feed_key` is given, since one model can be fed by several feeds at different
   paces); on a full refresh, none. `--vars '{load_window_start: N}'` re-processes loads from N on
   (the delete+insert strategy replaces their rows).
   Upper bound: `--vars '{load_window_end: N}'`. The Dagster incremental asset passes the highest
   load landed when the run started, so every incremental model of one run sees the same loads even
   when a department file lands while dbt is running. #}
{% macro load_window(column, feed_key=none) -%}
    {%- set conditions = [] -%}
    {%- set window_start = var('load_window_start', none) -%}
    {%- set window_end = var('load_window_end', none) -%}
    {%- if is_incremental() -%}
        {%- if window_start is not none -%}
            {%- do conditions.append(column ~ ' >= ' ~ (window_start | int)) -%}
        {%- else -%}
            {%- set scope = " where feed_key = '" ~ feed_key ~ "'" if feed_key else "" -%}
            {%- do conditions.append(column ~ ' > (select coalesce(max(load_id), 0) from ' ~ this ~ scope ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if window_end is not none -%}
        {%- do conditions.append(column ~ ' <= ' ~ (window_end | int)) -%}
    {%- endif -%}
    {{- conditions | join(' and ') if conditions else 'true' -}}
{%- endmacro %}

{# A BRIN index on a raw table's load id, created the first time a gate model reads the table, so
   an incremental run finds its new loads without reading every raw row (raw tables are appended
   load by load, which is what BRIN summarises best). Checked before creating: CREATE INDEX IF NOT
   EXISTS would wait for a landing in progress on the table even when the index exists. #}
{% macro raw_load_index(relation) -%}
do $$
begin
    if to_regclass('{{ relation.schema }}.{{ relation.identifier }}_lbrin') is null then
        create index {{ relation.identifier }}_lbrin on {{ relation }} using brin (_load_id);
    end if;
end
$$
{%- endmacro %}
