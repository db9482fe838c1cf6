import dagster as dg

from pipelines.transform.assets import dbt_resource, warehouse_models

defs = dg.Definitions(assets=[warehouse_models], resources={"dbt": dbt_resource()})
