#!/usr/bin/env bash
# Sluice's two entry points on a fresh Debian machine:
#   ./sluice.sh up     build (release) and run `sluice up` on this checkout's inbox/, upload/, outbox/, port 8000
#   ./sluice.sh test   build and run the whole test suite
# Both install the Debian packages they need when missing (apt-get, as root or through sudo).
set -euo pipefail
cd "$(dirname "$0")"

packages=(libinotifytools0-dev libcurl4-openssl-dev libgd-dev libjpeg62-turbo-dev libsqlite3-dev libc6-dev)
# The tests also run schemathesis (from PyPI, in a virtual environment under .build/) against the reader, and
# render the browse page in headless Chromium.
test_packages=(python3 python3-venv chromium)
schemathesis_version=4.32.5

install_missing() {
  local missing=()
  for p in "${packages[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "sluice.sh: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "sluice.sh: run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

find_swift() {
  command -v swift >/dev/null && return 0
  [ -x /opt/swift/usr/bin/swift ] && { export PATH="/opt/swift/usr/bin:$PATH"; return 0; }
  echo "sluice.sh: no Swift toolchain: install Swift 6 (swift.org) and put it on PATH" >&2
  exit 1
}

case "${1:-}" in
  up)
    shift
    install_missing; find_swift
    # The Swift runtime and Foundation linked in: a smaller, faster-starting process (see bench/README.md).
    swift build -c release --product sluice --static-swift-stdlib
    exec .build/release/sluice up --root . "$@"
    ;;
  test)
    shift
    install_missing "${test_packages[@]}"; find_swift
    venv=.build/schemathesis-$schemathesis_version
    if [ ! -x "$venv/bin/schemathesis" ]; then
      echo "sluice.sh: installing schemathesis $schemathesis_version into $venv (PyPI)" >&2
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q "schemathesis==$schemathesis_version"
    fi
    export SLUICE_SCHEMATHESIS="$PWD/$venv/bin/schemathesis"
    # Both are installed above: a test that would be skipped without them is a failure here, not a silent skip.
    chromium_path=$(command -v chromium || true)
    [ -n "$chromium_path" ] || { echo "sluice.sh: chromium is not on PATH after installing it: the browse page test needs it" >&2; exit 1; }
    export SLUICE_CHROMIUM="$chromium_path"
    swift build --build-tests
    exec swift test --no-parallel "$@"
    ;;
  *)
    echo "usage: ./sluice.sh up [sluice up options]   |   ./sluice.sh test [swift test options]" >&2
    exit 2
    ;;
esac
