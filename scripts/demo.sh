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

# The office web platform on the sample workspace: one account per role, each with a new random password
# (re-running the demo resets them), served at http://127.0.0.1:8000 until Ctrl-C.  Run from a script or a
# pipe (no terminal), the demo stops here and says how to serve instead of blocking.
if [ -t 0 ] && [ -t 1 ]; then
    "$VENV/bin/python" "$REPO/scripts/demo_web.py" accounts "$REPO"
    if "$RENDA" serve --help >/dev/null 2>&1; then
        exec "$RENDA" serve --host 127.0.0.1 --port 8000
    fi
    exec "$VENV/bin/python" "$REPO/scripts/demo_web.py" serve "$REPO"
fi
printf '\n要在浏览器中查看网页平台，请在终端中运行 bash scripts/demo.sh（会为每个角色设置演示账号，并在\n'
printf 'http://127.0.0.1:8000 提供服务，按 Ctrl-C 停止）；或自行运行：\n'
printf '  %s scripts/demo_web.py accounts .   # 每个角色一个账号，打印随机密码\n' "$VENV/bin/python"
printf '  %s serve --host 127.0.0.1 --port 8000\n' "$RENDA"
