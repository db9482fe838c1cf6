{# Publication windows in SQL, the twin of credit.publication.publication_window (REFERENCE §5).

   The rules by era come from the seed publication_window_rules (generated from
   config/publication_rules.yaml). The two penalty-type settings of that file are not in the seed,
   so they are repeated here; tests/archive/test_publication_windows.py fails when they drift and
   checks this SQL against the Python function on a table of cases across the three eras. #}

{% macro publication_penalty_types() -%}
    {{ return(var('publication_penalty_types', {
        'not_published_alone': ['警告'],
        'severity_floor': {},
    })) }}
{%- endmacro %}

{% macro _severity_rank(expr) -%}
    array_position(array['轻微', '一般', '严重']::text[], {{ expr }})
{%- endmacro %}

{# One row per (rule, set of severities): the window a decision gets when its penalty types put
   it in those severities — the longest maximum and minimum over the published ones. The set is a
   bit mask (1 轻微, 2 一般, 4 严重), so each record finds its window with one equality join. #}
{% macro publication_window_table() -%}
    select
        rules.rule_code,
        masks.severity_mask,
        bool_or(rules.max_months is not null) as is_published,
        max(rules.max_months) as max_months,
        max(rules.min_months) filter (where rules.max_months is not null) as min_months,
        max(rules.special_min_months) as special_min_months,
        max(rules.special_keywords) as special_keywords
    from {{ ref('publication_window_rules') }} as rules
    cross join generate_series(1, 7) as masks (severity_mask)
    where masks.severity_mask & (1 << ({{ _severity_rank('rules.severity') }} - 1)) <> 0
    group by rules.rule_code, masks.severity_mask
{%- endmacro %}

{# The eras: each rule from its valid_from to the next rule's; the first reaches back and the last
   forward without end (credit.publication.PublicationRules.rule_for). #}
{% macro publication_rule_eras() -%}
    select
        rule_code,
        case when valid_from = min(valid_from) over () then date '-infinity' else valid_from end as era_start,
        coalesce(lead(valid_from) over (order by valid_from), date 'infinity') as era_end
    from (select distinct rule_code, valid_from from {{ ref('publication_window_rules') }}) as rules
{%- endmacro %}

{# The severity mask of one decision: its own severity (missing = 一般) raised by the floor of each
   of its publishing penalty types; 0 when every type it has is one that is not published alone. #}
{% macro publication_severity_mask(severity, penalty_types) -%}
    {%- set config = publication_penalty_types() -%}
    {%- set silent = config['not_published_alone'] -%}
    {%- set floors = config['severity_floor'] -%}
    {%- set base = "coalesce(" ~ _severity_rank(severity) ~ ", 2)" -%}
    {%- set types = "array_remove(regexp_split_to_array(coalesce(" ~ penalty_types ~ ", ''), '[、,，;；|/[:space:]]+'), '')" -%}
    {%- set own = [] -%}
    {%- for t in silent + (floors.keys() | list) -%}{%- do own.append("'" ~ t ~ "'") -%}{%- endfor -%}
    (case
        when cardinality({{ types }}) = 0 then 1 << ({{ base }} - 1)
        else
            {#- a publishing type without a floor keeps the decision's own severity #}
            case when exists (select 1 from unnest({{ types }}) as t (penalty_type)
                              where t.penalty_type <> all (array[{{ own | join(', ') }}]::text[]))
                 then 1 << ({{ base }} - 1) else 0 end
            {%- for penalty_type, floor in floors.items() if penalty_type not in silent %}
            | case when '{{ penalty_type }}' = any ({{ types }})
                   then 1 << (greatest({{ base }}, {{ _severity_rank("'" ~ floor ~ "'") }}) - 1) else 0 end
            {%- endfor %}
    end)
{%- endmacro %}

{# The publication window of the rows of `relation_alias` as a lateral join named `alias`: rule_code,
   is_published, min_end_date (repair may be applied for from it), max_end_date (publication ends
   automatically). Needs the CTEs publication_windows and publication_eras (see fct_credit_record). #}
{% macro publication_window_join(alias, decision_date, severity, penalty_types, violation_type) -%}
    left join publication_eras as {{ alias }}_era
        on {{ decision_date }} >= {{ alias }}_era.era_start and {{ decision_date }} < {{ alias }}_era.era_end
    left join publication_windows as {{ alias }}_win
        on {{ alias }}_win.rule_code = {{ alias }}_era.rule_code
       and {{ alias }}_win.severity_mask = {{ publication_severity_mask(severity, penalty_types) }}
    left join lateral (
        select
            {{ alias }}_era.rule_code,
            coalesce({{ alias }}_win.is_published, false) as is_published,
            {{ alias }}_win.max_months,
            case
                when {{ alias }}_win.special_min_months is not null
                 and {{ violation_type }} is not null
                 and exists (select 1 from unnest(string_to_array({{ alias }}_win.special_keywords, '|')) as k (keyword)
                             where strpos({{ violation_type }}, k.keyword) > 0)
                    then least(greatest(coalesce({{ alias }}_win.min_months, 0), {{ alias }}_win.special_min_months),
                               {{ alias }}_win.max_months)
                else {{ alias }}_win.min_months
            end as min_months
    ) as {{ alias }}_months on true
    left join lateral (
        select
            {{ alias }}_months.rule_code,
            {{ alias }}_months.is_published,
            case when {{ alias }}_months.is_published and {{ alias }}_months.min_months is not null
                 then ({{ decision_date }} + make_interval(months => {{ alias }}_months.min_months))::date end as min_end_date,
            case when {{ alias }}_months.is_published
                 then ({{ decision_date }} + make_interval(months => {{ alias }}_months.max_months))::date end as max_end_date
    ) as {{ alias }} on true
{%- endmacro %}
