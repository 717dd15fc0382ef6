#!/usr/bin/env bash
# The operating system's packages the checks need, installed from Debian's packages when the
# machine lacks them (as root, or through sudo):
#   - chromium and chromium-driver, for the docs site's browser test (tests/docs/test_site.py);
#   - postgresql's server programs, for the PostgreSQL redemption store's tests, which start a
#     throw-away server of their own (shopkit.testing._postgres). The package is installed
#     without starting a server of its own: policy-rc.d answers 101, "do not start services".
# `make check` runs this first; it does nothing on a machine that has them all.
set -euo pipefail

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

have_postgres() {
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
    compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null
}

packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
have_postgres || packages+=(postgresql)
[ "${#packages[@]}" = 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "shopkit's checks need ${packages[*]}; install them with your system's package manager" >&2
    exit 1
fi
echo "installing Debian's ${packages[*]} for shopkit's checks"
had_policy=0
[ -e /usr/sbin/policy-rc.d ] && had_policy=1
if [ "$had_policy" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null
[ "$had_policy" = 1 ] || $sudo rm -f /usr/sbin/policy-rc.d
