# Sourced by the scripts: creates or refreshes .venv from the pinned constraints, then sets the
# environment every command shares. Safe to source repeatedly; does real work only when the pins
# or pyproject.toml changed since the last install.
set -euo pipefail

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$PROJECT_ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "error: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

bootstrap_venv() {
  local stamp="$VENV/.installed-from" want
  want="$(cat "$PROJECT_ROOT/constraints.txt" "$PROJECT_ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local python; python="$(find_python)"
  echo "==> Setting up $VENV from constraints.txt (first run takes a few minutes)"
  [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
  # Only the pinned versions install: every dependency is constrained, and the project itself is
  # built without an isolated build environment so no unpinned build tool is fetched.
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c "$PROJECT_ROOT/constraints.txt" pip setuptools
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation \
      -c "$PROJECT_ROOT/constraints.txt" -e "$PROJECT_ROOT[dev]"
  echo "$want" > "$stamp"
}

bootstrap_venv

export PATH="$VENV/bin:$PATH"
export CREDIT_STATE_DIR="${CREDIT_STATE_DIR:-$PROJECT_ROOT/.local}"
export DAGSTER_HOME="${DAGSTER_HOME:-$CREDIT_STATE_DIR/dagster_home}"
# platformdirs (used by the embedded PostgreSQL wheel) wants a runtime dir; root shells lack one.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$CREDIT_STATE_DIR/run}"
mkdir -p "$DAGSTER_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
# The instance settings live in the repository; DAGSTER_HOME only holds state.
cp "$PROJECT_ROOT/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
cd "$PROJECT_ROOT"
