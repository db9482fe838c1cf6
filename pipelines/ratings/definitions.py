import dagster as dg

from pipelines.ratings.assets import inspection_plan, inspection_plan_job, inspection_plan_schedule, rating_report

defs = dg.Definitions(
    assets=[inspection_plan, rating_report],
    jobs=[inspection_plan_job],
    schedules=[inspection_plan_schedule],
)
