#!/usr/bin/env bash
# Shared by demo.sh and test.sh: make .venv with renda installed from this checkout.
# Sourced, not run.  Installs Debian packages only when something is missing.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RENDA_VENV:-$REPO/.venv}"
PYTHON="${PYTHON:-python3}"

say() { printf '%s\n' "$*" >&2; }

apt_install() {
    # apt_install PKG... — install Debian packages, or say exactly what to install.
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        say "正在安装系统软件包：${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 && return 0
    fi
    say "缺少系统软件包：${missing[*]}"
    say "请以管理员身份运行：apt-get install ${missing[*]}"
    return 1
}

# What renders and checks documents: LibreOffice (docx → PDF), CJK fonts that the shipped fontconfig
# aliases map the office fonts onto (Liberation Serif for Times New Roman digits), and poppler (pdftoppm) for page images in tests.
DOC_PACKAGES=(libreoffice-writer-nogui fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai fonts-arphic-ukai fonts-liberation2 poppler-utils)

ensure_document_tools() {
    if ! apt_install "${DOC_PACKAGES[@]}"; then
        say "没有 LibreOffice 时 renda 仍能生成 .docx，但不能生成 PDF。"
        return 1
    fi
}

# What the browser tests (tests/browser) drive: Debian's Chromium and its chromedriver, never a downloaded browser.
BROWSER_PACKAGES=(chromium chromium-driver)

ensure_browser() {
    if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
        return 0
    fi
    if ! apt_install "${BROWSER_PACKAGES[@]}"; then
        say "没有 Chromium 时浏览器测试（tests/browser）会跳过；在 CI 中（设置了 CI 环境变量）则判为失败。"
        return 1
    fi
}

ensure_python() {
    if ! command -v "$PYTHON" >/dev/null; then
        apt_install python3 python3-venv || exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        say "renda 需要 Python 3.11 或更高版本，当前为 $("$PYTHON" --version 2>&1)"
        exit 1
    fi
    if ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        apt_install python3-venv || exit 1
    fi
}

ensure_venv() {
    # ensure_venv [EXTRAS] — create .venv and install renda (editable) with pinned versions.
    local extras="${1:-}"
    ensure_python
    if [ ! -x "$VENV/bin/python" ]; then
        say "正在创建虚拟环境 $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local spec="$REPO"
    [ -n "$extras" ] && spec="$REPO[$extras]"
    # constraints.txt pins every package for reproducible installs.
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -c "$REPO/constraints.txt" -e "$spec" >&2
}
