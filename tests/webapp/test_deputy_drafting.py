"""A deputy drafts their own suggestion in the browser's form, edits it while it is a draft, and submits it
(issue 15 item 5): the lead is always the deputy, the draft stays theirs alone until submitted, and nothing of its
handling — 交办, answers, 公开 — can be written from their form, whatever it carries."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from archive.catalog import validate
from archive.workspace import Workspace
from webapp.conftest import DEPUTY_ID, ClientAs
from webapp.formreader import form_of
from webapp.test_editing_pages import changed, post


def _written(ws: Path, record_id: str) -> dict[str, Any]:
    (path,) = ws.rglob(f"{record_id}.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_a_deputy_drafts_edits_and_submits_their_own_suggestion(client_as: ClientAs, web_ws: Path) -> None:
    deputy = client_as("deputy")
    page = deputy.get("/records/new").text
    assert "/records/new/suggestion" in page and "/records/new/opinion" not in page
    html = deputy.get("/records/new/suggestion").text
    fields = form_of(html)
    names = {name for name, _ in fields}
    assert not any(n == "lead" or n.startswith(("handling", "public", "status")) for n in names)
    new_id = dict(fields)["id"]
    filled = changed(
        fields,
        title="关于在城区增设公共充电桩的建议",
        category="城乡建设",
        session="闭会期间",
        body__0="城区老旧小区新能源汽车充电难，建议统筹规划增设公共充电桩。",
        # a forged field the form does not have: the deputy's form cannot assign it or name another lead
        handling__lead_organ="区发展和改革局",
        lead="d002",
    )
    response = post(deputy, "/records/new/suggestion", filled)
    assert response.status_code == 303, response.text[:3000]
    data = _written(web_ws, new_id)
    assert data["lead"] == DEPUTY_ID and data["status"] == "draft" and "handling" not in data
    assert validate(Workspace(web_ws)).errors == ()

    # the draft is theirs alone
    assert deputy.get(f"/records/{new_id}").status_code == 200
    for role in ("member", "organ"):
        assert client_as(role).get(f"/records/{new_id}").status_code == 404
    # edited while a draft
    fields = form_of(deputy.get(f"/records/{new_id}/edit").text)
    assert (
        post(
            deputy, f"/records/{new_id}/edit", changed(fields, title="关于在城区老旧小区增设公共充电桩的建议")
        ).status_code
        == 303
    )
    assert _written(web_ws, new_id)["title"] == "关于在城区老旧小区增设公共充电桩的建议"

    # submitted through 办理, then no longer theirs to edit; the office now assigns it
    token = re.search(r'name="csrf_token" value="([^"]+)"', deputy.get("/").text)
    assert token
    submitted = deputy.post(f"/records/{new_id}/handle/submit", data={"csrf_token": token[1]})
    assert submitted.status_code == 303, re.findall(r"role=\"alert\"[^>]*>([^<]+)", submitted.text)
    assert _written(web_ws, new_id)["status"] == "final"
    assert deputy.get(f"/records/{new_id}/edit").status_code == 403
    assert "assign" in client_as("clerk").get(f"/records/{new_id}/handle").text


def test_a_deputy_cannot_draft_other_kinds_nor_edit_what_is_not_their_draft(client_as: ClientAs, web_ws: Path) -> None:
    deputy = client_as("deputy")
    for kind in ("opinion", "meeting", "deputy", "letter"):
        assert deputy.get(f"/records/new/{kind}").status_code == 403
    own_final = next(
        p.stem
        for p in sorted(web_ws.glob("records/*/suggestion-*.yaml"))
        if (d := yaml.safe_load(p.read_text(encoding="utf-8")))["lead"] == DEPUTY_ID and d["status"] == "final"
    )
    assert deputy.get(f"/records/{own_final}").status_code == 200
    assert deputy.get(f"/records/{own_final}/edit").status_code == 403
