#!/usr/bin/env bash
# Install the Debian/Ubuntu packages polybrief needs, skipping those already present.
# With the argument "test", also what the browser tests need.
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0   # text layout for WeasyPrint
  libharfbuzz-subset0                # fast font subsetting (fontTools is ~30x slower on CJK)
  fontconfig fonts-noto-core fonts-noto-cjk
  poppler-utils qpdf gettext         # pdftotext/pdffonts, qpdf --check, msgfmt: used by the tests
)
if [ "${1:-}" = test ]; then
  packages+=(chromium chromium-driver)   # the browser tests: axe-core in a real browser
  command -v npm >/dev/null || packages+=(npm)   # installs axe-core from the npm registry
fi
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  packages+=(python3 python3-venv)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "error: missing packages ${missing[*]} and no apt-get here; install them by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: run as root or install sudo to add: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
