#!/usr/bin/env bash
# Headless Chromium and CJK fonts from Debian's packages, for the dashboard's browser test.
# Never `playwright install`: the browser must come from the distribution's package registry.
# Exits 0 when /usr/bin/chromium is there afterwards; 3 when it cannot be installed here.
set -euo pipefail
have() { [[ -x /usr/bin/chromium ]] && fc-list 2>/dev/null | grep -ci "Noto Sans CJK" >/dev/null; }
if have; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get is not available on this machine" >&2
    exit 3
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-chromium: not root and no password-less sudo: cannot apt-get install" >&2
        exit 3
    fi
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: apt-get install chromium fonts-noto-cjk"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
have || { echo "install-chromium: chromium or fonts-noto-cjk still missing" >&2; exit 3; }
