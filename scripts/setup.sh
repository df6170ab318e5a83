#!/usr/bin/env bash
# Set up everything the monitor needs on a fresh Debian/Ubuntu machine:
#  1. system packages (XeLaTeX, pandoc, fonts, pdftoppm, Chromium and npm for the accessibility test) —
#     installed when run as root or with sudo, otherwise a message says exactly what to install;
#  2. a virtual environment .venv with the pinned Python packages and this package (editable);
#  3. axe-core (pinned, from npm) into .venv/node_modules: the accessibility test runs it in headless Chromium;
#  4. the git pre-commit hook (offline, from .venv): ruff, notebooks without output, no real exports.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
APT_PACKAGES=(texlive-xetex texlive-fonts-recommended texlive-plain-generic texlive-lang-european
              pandoc fonts-dejavu poppler-utils chromium)
AXE_CORE_VERSION=4.14.1

missing=()
command -v xelatex >/dev/null 2>&1 || missing+=(texlive-xetex)
command -v pandoc >/dev/null 2>&1 || missing+=(pandoc)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
fc-list 2>/dev/null | grep "DejaVu Serif" >/dev/null || missing+=(fonts-dejavu)  # not -q: with pipefail, SIGPIPE would count as missing
kpsewhich polyglossia.sty >/dev/null 2>&1 || missing+=(texlive-lang-european)
kpsewhich adjustbox.sty >/dev/null 2>&1 || missing+=(texlive-plain-generic texlive-fonts-recommended)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# npm only when there is none: a Node.js from elsewhere brings its own (Debian's npm would conflict with it)
command -v npm >/dev/null 2>&1 || { missing+=(npm); APT_PACKAGES+=(npm); }

if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "Missing system packages for the PDF build. Please run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES[*]}" >&2
    exit 1
  fi
  echo ">> installing system packages: ${APT_PACKAGES[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo ">> creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
echo ">> installing pinned Python packages (requirements.lock)"
.venv/bin/python -m pip install -q -r requirements.lock
.venv/bin/python -m pip install -q --no-deps -e .
# deduce (redaction of open answers) builds its lookup structures once (1-3 min) and caches them in .venv
echo ">> deduce lookup structures (built once, then cached in .venv)"
.venv/bin/python -c "from helpers.analysis.deidentify import model; model()"
if [ ! -f .venv/node_modules/axe-core/package.json ] || ! grep -q "\"version\": \"$AXE_CORE_VERSION\"" .venv/node_modules/axe-core/package.json; then
  echo ">> installing axe-core $AXE_CORE_VERSION (npm) for the accessibility test"
  npm install --prefix .venv --no-save --no-package-lock --no-audit --no-fund --silent "axe-core@$AXE_CORE_VERSION"
fi
./scripts/install-hooks.sh
touch .venv/.installed
echo ">> setup done"
