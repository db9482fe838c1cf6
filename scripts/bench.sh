#!/usr/bin/env bash
# Every benchmark on the city preset, figures beside same-run baselines → docs/BENCHMARKS.md.
# Long (about one to two hours on 2 cores); not part of the test suite.
source "$(dirname "$0")/_env.sh"
exec python bench/run_all.py "$@"
