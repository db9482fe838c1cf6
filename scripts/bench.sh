#!/usr/bin/env bash
# Every benchmark on the city preset, figures beside same-run baselines → docs/BENCHMARKS.md.
# Long (three to four and a half hours on 2 cores with the simulations, as fast as the machine is
# that day; needs 80 GB of free disk: the 1x warehouse alone is 43 GB); not part of the test suite.
source "$(dirname "$0")/_env.sh"
exec python bench/run_all.py "$@"
