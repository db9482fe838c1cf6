-- The quarterly red and black list release (红黑名单季度发布) in figures: per quarter, published list
-- and sector, the entries that took effect in the quarter, those that ended in it, and those in
-- force on its last day — from the first quarter with an entry to the current one (as of the build
-- date). reports/releases/<quarter>/ holds the same figures with the entries (HTML, CSV), written by
-- the quarterly release asset (pipelines/lifecycle).
{{ config(alias='release_quarter', materialized='view') }}

with entries as (

    select e.*, e.trigger_load_id as load_id
    from {{ ref('mart_list__entry') }} as e
    where e.published

),

released_entries as (

    select * from entries as e
    where not e.is_triggered_by_record or {{ released('e') }}

),

quarters as (

    select
        q::date as quarter_start,
        (q + interval '3 months')::date - 1 as quarter_end
    from generate_series(
        date_trunc('quarter', (select min(effective_date) from released_entries))::date,
        date_trunc('quarter', {{ as_of_date() }})::date,
        interval '3 months') as q

),

sectors as (

    select distinct sector_slug, sector_name_zh from {{ ref('ref_feed') }}

),

per_quarter as (

    select
        quarters.quarter_start,
        quarters.quarter_end,
        e.list_type,
        e.list_name_zh,
        e.sector_slug,
        count(*) filter (where e.effective_date between quarters.quarter_start and quarters.quarter_end
                         and {{ list_entry_status('e', 'least(quarters.quarter_end, ' ~ as_of_date() ~ ')') }} <> 'withdrawn')
            as newly_listed,
        count(*) filter (where {{ list_entry_ended_date('e') }} between quarters.quarter_start and quarters.quarter_end
                         and e.effective_date < {{ list_entry_ended_date('e') }})
            as exited,
        count(*) filter (where {{ list_entry_status('e', 'least(quarters.quarter_end, ' ~ as_of_date() ~ ')') }} = 'active')
            as listed_at_quarter_end
    from quarters
    join released_entries as e on e.effective_date <= quarters.quarter_end
    group by 1, 2, 3, 4, 5

)

select
    (extract(year from p.quarter_start)::int || 'Q' || extract(quarter from p.quarter_start)::int)::text as quarter,
    p.quarter_start::date as quarter_start,
    p.quarter_end::date as quarter_end,
    p.list_type::text as list_type,
    p.list_name_zh::text as list_name_zh,
    p.sector_slug::text as sector_slug,
    coalesce(s.sector_name_zh, p.sector_slug)::text as sector_name_zh,
    p.newly_listed::bigint as newly_listed,
    p.exited::bigint as exited,
    p.listed_at_quarter_end::bigint as listed_at_quarter_end
from per_quarter as p
left join sectors as s using (sector_slug)
where p.newly_listed > 0 or p.exited > 0 or p.listed_at_quarter_end > 0
