#!/usr/bin/env bash
# Command 1 of the README: install renda and run the main job on the sample workspace.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
ensure_venv
ensure_document_tools || true

RENDA="$VENV/bin/renda"
cd "$REPO"   # the repository root is the bundled sample workspace
run() { printf '\n$ renda %s\n' "$*"; "$RENDA" "$@"; }

run validate
run list --term 17 --type opinion
run list --json --type inspection
run render --all --format docx,pdf
run check out/opinion-2024-02.pdf out/cwh-17-19.pdf out/opinion-2024-02.docx
# Search: index the sample workspace and find a phrase.
run index
run search '"农村生活污水"' --term 17

# Oversight: follow-up of 审议意见 at the sample's reference date, and one deputy's performance file.
run track
run deputy profile d041 --term 17 --format docx,pdf
run check "out/d041-履职档案-第17届.pdf"

# Annual archive: pre-flight, build and verify one year.
run archive build 2024 --check
run archive build 2024
run archive verify out/archive/J017-WS-2024
