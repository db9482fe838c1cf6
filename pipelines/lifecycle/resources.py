"""Where the departments' joint-measure endpoints are, read from the environment when needed."""

import os

import dagster as dg

from credit.lifecycle.config import load_config


class MeasureEndpoints(dg.ConfigurableResource):
    """Base URL of the departments' joint-measure endpoints (一键奖惩): the environment variable
    named by config/lifecycle.yaml outbox.endpoint_env (CREDIT_MEASURES_ENDPOINT_URL). Unset: the
    actions are queued in the outbox and wait until it is set and the departments answer."""

    def base_url(self) -> str | None:
        return os.environ.get(load_config().setting("outbox.endpoint_env")) or None
