"""The Dagster code location of the credit warehouse (see ``pipelines.definitions``)."""
