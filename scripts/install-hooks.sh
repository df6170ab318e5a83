#!/usr/bin/env bash
# Install the git pre-commit hook (pre-commit with local hooks from .venv: works without internet).
# The hook runs ruff, strips notebook outputs and refuses files that hold survey answers, judged by content
# (monitor check-commit; the synthetic example exports pass by their hash in data/raw/synthetic_exports.sha256).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo ">> git hook: not a git checkout, skipped"
  exit 0
fi
gitdir=$(cd "$(git rev-parse --git-dir)" && pwd -P)
common=$(cd "$(git rev-parse --git-common-dir)" && pwd -P)
if [ "$gitdir" != "$common" ]; then
  # hooks of a linked worktree live in the main checkout and would change it for everyone
  echo ">> git hook: linked worktree, hooks are shared with the main checkout ($common); run 'make hooks' there"
  exit 0
fi
if [ -n "$(git config --get core.hooksPath || true)" ]; then
  echo ">> git hook: core.hooksPath is set to $(git config --get core.hooksPath); not changed" >&2
  echo "   Add 'pre-commit run --hook-stage pre-commit' there, or unset core.hooksPath and run 'make hooks'." >&2
  exit 0
fi
.venv/bin/pre-commit install --hook-type pre-commit >/dev/null
echo ">> git hook installed: $(git rev-parse --git-path hooks)/pre-commit (offline; refuses real exports)"
