#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run. Idempotent:
# packages already present are skipped, nothing else is upgraded (--no-upgrade).
# Usage: scripts/setup.sh [--with-web]   (npm packages of web/console are installed by its own build step)
set -euo pipefail

DEBS=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libexpected-dev libsodium-dev libyaml-cpp-dev libsqlite3-dev sqlite3 libpq-dev
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev libcurl4-openssl-dev
  clang-14 clang-format libclang-rt-14-dev
  postgresql-15 postgresql-client-15
  slapd ldap-utils libldap-dev
  libzstd-dev
  wrk nginx-light haproxy
  chromium
)

missing=()
for p in "${DEBS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#DEBS[@]} Debian packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# No daemon may start at install time (no systemd here anyway).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
fi
# slapd's postinst would build a dc=nodomain database under /var/lib/ldap; tests run their own slapd with
# their own configuration, so tell debconf to leave the packaged database unconfigured.
if command -v debconf-set-selections >/dev/null; then
  echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
fi
if ! $SUDO apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-upgrade --no-install-recommends "${missing[@]}"
fi
