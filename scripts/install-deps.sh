#!/usr/bin/env bash
# Installs every Debian 12 package seller-healthd needs to build, test and run.
# Idempotent: packages already present are skipped by apt; apt-get update runs
# only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-url1.81-dev libssl-dev ca-certificates openssl
  libsqlite3-dev sqlite3 libsqlitecpp-dev
  nlohmann-json3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata libcli11-dev libsystemd-dev
  zlib1g-dev libcurl4-openssl-dev
  # The mailbox source: GMime parses messages; the tests run a real Dovecot.
  libgmime-3.0-dev dovecot-imapd
  libgtest-dev libgmock-dev
  python3 python3-aiosmtpd python3-prometheus-client python3-yaml chromium
  locales
  prometheus curl zsh
  # The Alertmanager channel's test runs the real Alertmanager; the webhook
  # body is validated against docs/webhook.schema.json with jsonschema.
  prometheus-alertmanager python3-jsonschema
  time
  systemd
  dpkg-dev
  # The package's tests: lint (tests/package) and the live systemd test in a
  # Debian 12 container (tests/systemd/live_test.py).
  lintian shellcheck
  # The libFuzzer targets (tests/fuzz, scripts/fuzz.sh) build with clang.
  clang-14 libclang-rt-14-dev
  systemd-container debootstrap
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# The locale tests switch to de_DE.UTF-8 (a decimal comma) and fail without it.
have_de_locale() {
  locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'
}

if [ ${#missing[@]} -eq 0 ] && have_de_locale; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: the de_DE.UTF-8 locale is missing" >&2
  else
    echo "install-deps: missing packages: ${missing[*]}" >&2
  fi
  echo "install-deps: run as root (or install them yourself) and try again" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! have_de_locale; then
  localedef -i de_DE -c -f UTF-8 -A /usr/share/locale/locale.alias de_DE.UTF-8
fi
