#!/usr/bin/env bash
# README command 2: the full test suite (real PostgreSQL, real dbt, real GX, real Dagster runs).
source "$(dirname "$0")/_env.sh"
exec python -m pytest "$@"
