#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: installs whatever is missing, idempotently.
# Sourced, not executed. Uses $ROOT.
set -euo pipefail

log() { printf '[setup] %s\n' "$*" >&2; }

# System packages (Debian): Chromium for e2e tests, Xvfb + Qt's xcb libraries for the window.
SYSTEM_PACKAGES=(chromium xvfb xauth bindfs fusefat dosfstools libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0
  libxkbcommon-x11-0 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xkb1 libnss3 libegl1 libgl1 libxkbfile1 libxshmfence1 libgbm1 libasound2
  libxcomposite1 libxdamage1 libxtst6 libxrandr2 libfontconfig1 libdbus-1-3)

ensure_system_packages() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    log "missing system packages (${missing[*]}); install them with apt-get as root"
    return 0
  fi
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  log "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_python() {
  local venv="$ROOT/.venv" stamp="$ROOT/.venv/.tensorshelf-stamp"
  local want; want=$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)
  if [ ! -x "$venv/bin/python" ]; then
    log "creating .venv"
    python3 -m venv "$venv"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing Python dependencies"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    # exact versions (constraints.txt, made by scripts/lock-python): what CI tested
    "$venv/bin/python" -m pip install -q -c "$ROOT/constraints.txt" -e "$ROOT[test,desktop]"
    echo "$want" > "$stamp"
  fi
  # Bytecode for the project's own modules: with PYTHONDONTWRITEBYTECODE set (as on some
  # machines) every start would otherwise recompile them (≈ 0.2 s per CLI command).
  "$venv/bin/python" -m compileall -q -j 0 "$ROOT/backend/tensorshelf" >/dev/null || true
}

ensure_node() {
  [ -f "$ROOT/frontend/package.json" ] || return 0
  local stamp="$ROOT/node_modules/.tensorshelf-stamp" want
  want=$(cat "$ROOT/package.json" "$ROOT/frontend/package.json" "$ROOT/package-lock.json" 2>/dev/null | sha256sum | cut -c1-16)
  if [ ! -d "$ROOT/node_modules" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    log "installing npm dependencies"
    (cd "$ROOT" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi) >&2
    echo "$want" > "$stamp"
  fi
}

ui_is_stale() {
  local dist="$ROOT/frontend/dist/index.html"
  [ -f "$dist" ] || return 0
  [ -n "$(find "$ROOT/frontend/src" "$ROOT/frontend/index.html" "$ROOT/frontend/package.json" -newer "$dist" -print -quit 2>/dev/null)" ]
}

ensure_ui_built() {
  [ -f "$ROOT/frontend/package.json" ] || return 0
  if ui_is_stale; then
    log "building the UI"
    (cd "$ROOT" && npm run build --silent) >&2
  fi
}
