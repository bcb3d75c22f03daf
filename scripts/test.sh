#!/usr/bin/env bash
# Command 2 of the README: install renda with its test tools and run the whole suite.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
ensure_venv dev
# The render and conformance tests measure real PDFs: the tools are required here.
ensure_document_tools
# The browser tests need Chromium; without it they skip (and fail in CI, where it must be there).
ensure_browser || true

cd "$REPO"
status=0
# One worker per core (at most 4), each taking whole test files (their module fixtures are built once);
# RENDA_TEST_WORKERS=1 runs everything in one process.
workers="${RENDA_TEST_WORKERS:-$(nproc 2>/dev/null || echo 1)}"
[ "$workers" -gt 4 ] && workers=4
parallel=()
[ "$workers" -gt 1 ] && parallel=(-n "$workers" --dist loadfile)
"$VENV/bin/python" -m pytest "${parallel[@]}" "$@" || status=$?
if [ "$status" -eq 5 ]; then
    say "pytest 没有收集到任何测试：视为失败。"
    exit 1
fi
exit "$status"
