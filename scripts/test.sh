#!/usr/bin/env bash
# Set up what is missing, then run every check: forms, ruff, mypy, import-linter, pytest.
# Runs them all and fails at the end if any failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh test || exit 1

failed=()
step() {
  local name="$1"; shift
  printf '\n=== %s\n' "$name"
  if "$@"; then printf -- '--- %s: ok\n' "$name"; else failed+=("$name"); printf -- '--- %s: FAILED\n' "$name"; fi
}

step "forms up to date" .venv/bin/python scripts/build_forms.py --check
step "ruff lint" .venv/bin/ruff check .
step "ruff format" .venv/bin/ruff format --check .
step "mypy --strict" .venv/bin/mypy
step "import-linter" .venv/bin/lint-imports
step "pytest" .venv/bin/pytest "$@"

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED: %s\n' "${failed[*]}"
  exit 1
fi
printf '\nall checks passed\n'
