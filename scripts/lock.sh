#!/usr/bin/env bash
# Re-resolve the dependencies in a scratch venv and rewrite constraints.txt (deliberate upgrades only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
python3.11 -m venv "$scratch"
"$scratch/bin/pip" install --quiet -e "$root[dev]"
{ echo "# Every version the project installs, pinned. Regenerate with scripts/lock.sh after a deliberate upgrade."
  "$scratch/bin/pip" freeze --all --exclude-editable | grep -iE '^(pip|setuptools)=='
  "$scratch/bin/pip" freeze --exclude-editable | grep -v -iE '^(pip|setuptools)=='; } > "$root/constraints.txt"
rm -rf "$scratch"
