#!/usr/bin/env bash
# README command 3: the Dagster UI on the same instance (DAGSTER_HOME) the main job writes to.
source "$(dirname "$0")/_env.sh"
exec dagster dev -w "$PROJECT_ROOT/workspace.yaml" -h 127.0.0.1 -p "${DAGSTER_PORT:-3000}" "$@"
