#!/usr/bin/env bash
# Create .venv/ at the repository root with threec and every pinned dependency.
# Idempotent: does nothing when .venv already matches constraints.txt and pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
  || { echo "threec needs Python 3.11 (found $("$PY" --version 2>&1))" >&2; exit 1; }
stamp=.venv/.threec-installed
want=$(cat constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "threec: setting up .venv (pinned by constraints.txt) ..."
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
# Bytecode is compiled at install time: every dbt and Airflow start is then faster.
.venv/bin/uv pip install --quiet --python .venv/bin/python --compile-bytecode \
  --constraint constraints.txt -e '.[test]'
echo "$want" > "$stamp"
echo "threec: .venv ready ($(.venv/bin/threec --help >/dev/null && echo 'threec command installed'))"
