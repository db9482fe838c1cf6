"""Simulated department feeds with ground truth: seeded, deterministic, streaming.

``generate(preset, seed, …)`` writes every feed of the catalogue into a landing directory (files,
SQLite databases, JSONL behind a small HTTP API) and the ground truth next to it;
``generate_day(day, …)`` adds one day of new records. See ``docs/simulator.md``.
"""

from ingest_connectors.simulator.api_server import DEFAULT_TOKEN, FaultPlan, serve_department_apis
from ingest_connectors.simulator.dbload import load_into_database
from ingest_connectors.simulator.generate import PRESETS, TRUTH_COLUMNS, generate, generate_day

__all__ = [
    "DEFAULT_TOKEN", "FaultPlan", "PRESETS", "TRUTH_COLUMNS", "generate", "generate_day",
    "load_into_database", "serve_department_apis",
]
