#!/usr/bin/env bash
# Debian packages the tests use: Chromium renders the data-quality report in a real browser;
# LibreOffice (headless) opens the finance workbook and converts it to PDF.
# Installs only what is missing; needs root (or passwordless sudo) and apt.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "threec: please install: ${need[*]} (the tests need them)" >&2; exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo -n"
echo "threec: installing Debian packages: ${need[*]} ..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
