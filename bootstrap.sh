#!/usr/bin/env bash
# Prepare a machine for ferhil: Debian packages (when run as root), then the virtual
# environment in .venv with the project installed. Safe to run again: it skips what is done.
#
#   ./bootstrap.sh            everything the tests need (host gcc, ARM cross compiler, QEMU,
#                             Chromium for report checks, PostgreSQL for the result store)
#   FERHIL_APT=0 ./bootstrap.sh   skip Debian packages (install them yourself)
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(gcc libc6-dev make gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
              chromium chromium-driver postgresql fonts-dejavu-core ser2net clang-format)

missing=()
if [ "${FERHIL_APT:-1}" != 0 ] && command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: missing Debian packages: ${missing[*]}" >&2
    echo "bootstrap: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    echo "bootstrap: (tests that need them will be skipped)" >&2
  else
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -q --no-install-recommends python3-venv
      "$PY" -m venv .venv
    else
      echo "bootstrap: '$PY -m venv' failed; install python3-venv (Debian) and retry" >&2
      exit 1
    fi
  fi
fi

stamp=.venv/.ferhil-installed
want=$(sha256sum pyproject.toml | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  # The CPU build of torch comes pinned and first, so nothing pulls a CUDA build.
  .venv/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi
# izer (ADI's ai8x-synthesis) runs in its own environment, never in ferhil's: .venv-izer, made
# when a checkout is found ($FERHIL_IZER, else the shared copy the tests use).
izer_dir=${FERHIL_IZER:-../shared/vendor/ai8x-synthesis}
if [ -f "$izer_dir/ai8xize.py" ] && [ "${FERHIL_IZER_VENV:-1}" != 0 ]; then
  izer_want="torch==2.13.0 numpy==1.26.4 PyYAML rich xxhash GitPython PyGithub onnx"
  if [ ! -f .venv-izer/.ferhil-installed ] || [ "$(cat .venv-izer/.ferhil-installed)" != "$izer_want" ]; then
    echo "bootstrap: creating .venv-izer for izer at $izer_dir"
    "$PY" -m venv .venv-izer
    .venv-izer/bin/python -m pip install -q --disable-pip-version-check torch==2.13.0
    # shellcheck disable=SC2086
    .venv-izer/bin/python -m pip install -q --disable-pip-version-check $izer_want
    echo "$izer_want" > .venv-izer/.ferhil-installed
  fi
fi
echo "bootstrap: ready (.venv/bin/ferhil, .venv/bin/pytest)"
