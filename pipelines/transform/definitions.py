import dagster as dg

from pipelines.transform.assets import dbt_resource, incremental_models, warehouse_models, warehouse_snapshots

defs = dg.Definitions(
    assets=[warehouse_models, incremental_models, warehouse_snapshots],
    resources={"dbt": dbt_resource()},
)
