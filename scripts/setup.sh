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
  # the asan preset and fuzz/: clang, its ASan/UBSan/libFuzzer runtimes, its OpenMP runtime
  clang libclang-rt-14-dev libomp-dev
  chromium
  python3 python3-numpy openssl
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

# llama.cpp's own library as a reference for tests and benchmarks only (the product never
# loads it): the prebuilt CPU libraries come with @node-llama-cpp/linux-x64 (above); the
# headers they were built from come from node-llama-cpp's source bundle of the same version,
# fetched as a tarball (its own install would pull GPU builds) and checked against its hash.
LLAMA_SRC=tools/node/llama-cpp-src
LLAMA_TARBALL_SHA512="E3N0Ev2Va0wzydvXYFwM9Hvyo07PoWjt8T/9GMc43Cvt8YkV/NU/tYUgEMC1grTPv2o9PRjQi0G3Wb5P/awiMg=="
if [ ! -f "$LLAMA_SRC/include/llama.h" ]; then
  work=$(mktemp -d)
  (cd "$work" && npm pack --silent --loglevel=error node-llama-cpp@3.21.1 >/dev/null)
  actual=$(openssl dgst -sha512 -binary "$work/node-llama-cpp-3.21.1.tgz" | base64 -w0)
  if [ "$actual" != "$LLAMA_TARBALL_SHA512" ]; then
    echo "setup: node-llama-cpp-3.21.1.tgz does not match its pinned sha512" >&2
    exit 1
  fi
  tar -xzf "$work/node-llama-cpp-3.21.1.tgz" -C "$work" package/llama/gitRelease.bundle
  rm -rf "$LLAMA_SRC"
  git -c advice.detachedHead=false clone --quiet "$work/package/llama/gitRelease.bundle" "$LLAMA_SRC"
  rm -rf "$work"
fi

cmake --preset release
cmake --build --preset release
