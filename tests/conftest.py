"""Shared test set-up: a real PostgreSQL (the embedded one unless CREDIT_WAREHOUSE_URL is set).

Tests never touch the demo's database or folders: each test session works in its own databases
on the same server and in temporary landing, report and Dagster folders.
"""

from __future__ import annotations

import os

import pytest

from credit import settings

# Keep the tests' files out of the project's .local/ (the demo's state) and reports/.
os.environ.setdefault("XDG_RUNTIME_DIR", str(settings.state_dir() / "run"))
os.makedirs(os.environ["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)


@pytest.fixture(scope="session")
def external_warehouse() -> bool:
    return bool(os.environ.get(settings.WAREHOUSE_URL_ENV))
