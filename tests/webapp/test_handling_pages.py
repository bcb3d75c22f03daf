"""办理 (/records/{id}/handle): the people in the two closed loops take their steps on the platform.

An organ submits its 研究处理情况报告 with the PDF, the office confirms receipt and records the votes; a
suggestion is assigned, contacted, answered with the PDF, evaluated (不满意 → the next round), published; a
deputy submits their own draft.  Each step changes only its own lines of the YAML, is checked as ``renda
validate`` checks, leaves ``renda track`` with the new state, and a refused one writes nothing."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import yaml
from pdfgen import official_pdf
from starlette.testclient import TestClient

from archive.accounts import AccountStore
from archive.catalog import load_catalog, validate
from archive.followup import Status, track_everything
from archive.workspace import Workspace
from webapp.conftest import ORGAN, ClientAs, csrf_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"
OPINION = "opinion-2025-01"  # addressed to 区人民政府 (the organ account), assigned, no report yet
SUGGESTION = "suggestion-2025-004"  # led by d001 (the deputy account)
TODAY = dt.date.today().isoformat()


def _source(ws: Path, record_id: str) -> Path:
    return next(ws.glob(f"records/*/{record_id}.yaml"))


def _data(ws: Path, record_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(_source(ws, record_id).read_text(encoding="utf-8"))
    return loaded


PDF_PHRASE = "柳溪支流清淤疏浚四十二处"  # in the report PDF's text only, not in any record


def _report_pdf(tmp_path: Path) -> bytes:
    path = official_pdf(
        tmp_path / "report.pdf",
        [],
        title="关于审议意见研究处理情况的报告",
        body=f"截至十一月底，{PDF_PHRASE}，整改任务基本完成。",
        date="2026年12月1日",
    )
    return path.read_bytes()


def _post(client: TestClient, record_id: str, action: str, data: dict[str, str], pdf: bytes | None = None) -> Any:
    token = csrf_of(client.get("/").text)
    files = {"file": ("报告.pdf", pdf, "application/pdf")} if pdf is not None else None
    return client.post(f"/records/{record_id}/handle/{action}", data={**data, "csrf_token": token}, files=files)


def _removed_lines(before: str, after: str) -> list[str]:
    """The lines of ``before`` that ``after`` no longer has (a step only adds or changes its own lines)."""
    return [ln[1:] for ln in difflib.ndiff(before.splitlines(), after.splitlines()) if ln.startswith("- ")]


def _files_beside(ws: Path, record_id: str) -> set[str]:
    return {p.name for p in _source(ws, record_id).parent.glob(f"{record_id}.*")}


def _status_of(ws: Path, record_id: str) -> Status:
    workspace = Workspace(ws)
    report = track_everything(load_catalog(workspace), dt.date.today())
    return next(i.status for i in report.items if i.id == record_id)


def test_an_organ_reports_the_clerk_confirms_and_records_the_votes(
    client_as: ClientAs, web_ws: Path, tmp_path: Path
) -> None:
    organ, clerk = client_as("organ"), client_as("clerk")
    before = _source(web_ws, OPINION).read_text(encoding="utf-8")
    assert _status_of(web_ws, OPINION) != Status.EVALUATED

    pdf = _report_pdf(tmp_path)
    page = organ.get(f"/records/{OPINION}")
    assert f'href="/records/{OPINION}/handle"' in page.text
    response = _post(
        organ, OPINION, "report", {"title": "关于审议意见研究处理情况的报告", "doc_number": "澄政函〔2026〕9号"}, pdf
    )
    assert response.status_code == 303, response.text
    pending = _data(web_ws, OPINION)["follow_up"]["submissions"]
    assert len(pending) == 1 and pending[0]["by"] == "organ" and pending[0]["sha256"] == hashlib.sha256(pdf).hexdigest()
    stored = web_ws / pending[0]["file"]
    assert stored.read_bytes() == pdf and stored.parent == _source(web_ws, OPINION).parent
    after_step = organ.get(f"/records/{OPINION}/handle?done=report")
    assert after_step.status_code == 200 and "1 份报送待确认" in after_step.text  # where the loop stands now
    assert "step-confirm" not in after_step.text  # only the office confirms

    assert _post(clerk, OPINION, "confirm", {"index": "1"}).status_code == 303
    follow = _data(web_ws, OPINION)["follow_up"]
    assert "submissions" not in follow
    assert follow["reports"] == [
        {
            "received": dt.date.today(),
            "title": "关于审议意见研究处理情况的报告",
            "doc_number": "澄政函〔2026〕9号",
            "file": pending[0]["file"],
            "sha256": pending[0]["sha256"],
        }
    ]
    assert _status_of(web_ws, OPINION) in (Status.ANSWERED_ON_TIME, Status.ANSWERED_LATE)

    votes = {"index": "1", "date": TODAY, "satisfied": "15", "basic": "5", "no": "2", "result": "满意"}
    assert _post(clerk, OPINION, "votes", votes).status_code == 303
    evaluation = _data(web_ws, OPINION)["follow_up"]["reports"][0]["evaluation"]
    assert (evaluation["satisfied"], evaluation["basically_satisfied"], evaluation["unsatisfied"]) == (15, 5, 2)
    assert _status_of(web_ws, OPINION) == Status.EVALUATED

    after = _source(web_ws, OPINION).read_text(encoding="utf-8")
    assert _removed_lines(before, after) == []  # every line the clerk wrote is still there, as it was
    # the report's text is found as the opinion (kept beside the PDF when it was uploaded)
    found = clerk.get("/search.json", params={"q": PDF_PHRASE}).json()
    assert [hit["id"] for hit in found] == [OPINION], found
    assert validate(Workspace(web_ws)).ok
    events = [e.event for e in AccountStore.of(Workspace(web_ws)).trail() if e.target == OPINION]
    assert {"report", "confirm", "votes"} <= set(events)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ("not-a-pdf", "不是 PDF 文件"),
        ("encrypted", "PDF 已加密"),
        ("scanned", "没有文字层"),
        ("empty", "请选择要上传的 PDF 文件"),
    ],
)
def test_an_upload_that_is_not_an_acceptable_pdf_is_refused_at_its_field(
    client_as: ClientAs, web_ws: Path, upload: str, message: str
) -> None:
    organ = client_as("organ")
    before, files = _source(web_ws, OPINION).read_bytes(), _files_beside(web_ws, OPINION)
    content = {
        "not-a-pdf": b"<html>not a pdf</html>" * 10,
        "encrypted": (FIXTURES / "encrypted.pdf").read_bytes(),
        "scanned": (FIXTURES / "scanned.pdf").read_bytes(),
        "empty": b"",
    }[upload]
    token = csrf_of(organ.get(f"/records/{OPINION}/handle").text)
    files_field = {"file": ("x.pdf" if content else "", content, "application/pdf")}
    response = organ.post(f"/records/{OPINION}/handle/report", data={"csrf_token": token}, files=files_field)
    assert response.status_code == 400
    assert 'id="err-report-file"' in response.text and message in response.text
    assert "Traceback" not in response.text
    assert _source(web_ws, OPINION).read_bytes() == before and _files_beside(web_ws, OPINION) == files
    assert not list((web_ws / ".renda").glob("upload-*"))  # the work folder is gone
    trail = AccountStore.of(Workspace(web_ws)).trail()
    assert any(e.event == "refused-input" and e.target == OPINION for e in trail)


def test_a_body_past_the_upload_limit_is_refused_before_it_is_read(client_as: ClientAs, web_ws: Path) -> None:
    organ = client_as("organ")
    before = _source(web_ws, OPINION).read_bytes()
    token = csrf_of(organ.get(f"/records/{OPINION}/handle").text)
    huge = b"%PDF-1.7\n" + b"0" * (60 * 1024 * 1024)
    response = organ.post(
        f"/records/{OPINION}/handle/report",
        data={"csrf_token": token},
        files={"file": ("big.pdf", huge, "application/pdf")},
    )
    assert response.status_code == 413
    assert "不得超过 50 MB" in response.text
    assert _source(web_ws, OPINION).read_bytes() == before


def test_a_step_the_viewer_may_not_take_is_refused_and_nothing_is_written(
    client_as: ClientAs, web_ws: Path, tmp_path: Path
) -> None:
    before = _source(web_ws, OPINION).read_bytes()
    pdf = _report_pdf(tmp_path)
    for role in ("member", "deputy"):
        client = client_as(role)
        assert client.get(f"/records/{OPINION}/handle").status_code == 403
    organ = client_as("organ")
    assert _post(organ, OPINION, "confirm", {"index": "1"}).status_code == 403
    assert _post(organ, OPINION, "votes", {"index": "1"}).status_code == 403
    assert _post(organ, OPINION, "nonsense", {}).status_code == 403
    assert _source(web_ws, OPINION).read_bytes() == before
    # a report of an opinion addressed to another organ
    other = next(
        f.stem
        for f in sorted(web_ws.glob("records/*/opinion-*.yaml"))
        if _data(web_ws, f.stem)["addressee"] != ORGAN
        and (_data(web_ws, f.stem).get("follow_up") or {}).get("assigned")
    )
    assert _post(organ, other, "report", {}, pdf).status_code in (403, 404)


def _plant_suggestion(ws: Path, handling: dict[str, Any] | None, status: str = "final") -> str:
    """SUGGESTION in a chosen state: handled by the organ account's organ (or not yet assigned)."""
    path = _source(ws, SUGGESTION)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("handling", None)
    data.pop("public", None)
    data["status"] = status
    if handling is not None:
        data["handling"] = handling
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_a_suggestion_goes_round_the_loop_on_the_platform(client_as: ClientAs, web_ws: Path, tmp_path: Path) -> None:
    before = _plant_suggestion(web_ws, None)
    clerk, organ, deputy = client_as("clerk"), client_as("organ"), client_as("deputy")
    assert _post(organ, SUGGESTION, "answer", {"date": TODAY, "class": "A"}).status_code == 403  # not assigned yet

    assert (
        _post(
            clerk, SUGGESTION, "assign", {"date": "2025-03-01", "lead_organ": ORGAN, "co_organs": "区财政局"}
        ).status_code
        == 303
    )
    assert _post(clerk, SUGGESTION, "supervise", {"date": "2025-03-02", "by": "常委会副主任 赵静英"}).status_code == 303
    assert (
        _post(clerk, SUGGESTION, "extend", {"date": "2025-05-01", "reason": "涉及多个部门，需要协调"}).status_code
        == 303
    )
    assert (
        _post(
            organ, SUGGESTION, "contact", {"date": "2025-03-10", "kind": "走访", "note": "交办后与代表见面"}
        ).status_code
        == 303
    )
    assert _post(deputy, SUGGESTION, "evaluate", {"date": TODAY, "result": "满意"}).status_code == 403  # no answer yet

    pdf = _report_pdf(tmp_path)
    first = {
        "date": "2025-06-01",
        "class": "B",
        "summary": "已列入明年计划逐步解决",
        "doc_number": "澄政函〔2025〕30号",
    }
    assert _post(organ, SUGGESTION, "answer", first, pdf).status_code == 303
    assert _status_of(web_ws, SUGGESTION) in (Status.ANSWERED_ON_TIME, Status.ANSWERED_LATE)
    assert (
        _post(
            deputy, SUGGESTION, "evaluate", {"date": "2025-06-10", "result": "不满意", "note": "进度太慢"}
        ).status_code
        == 303
    )
    assert (
        _post(organ, SUGGESTION, "answer", {"date": "2025-08-01", "class": "A", "summary": "已经解决"}).status_code
        == 303
    )
    assert _post(deputy, SUGGESTION, "evaluate", {"date": "2025-08-05", "result": "满意"}).status_code == 303
    assert _post(clerk, SUGGESTION, "publish", {"public": "1"}).status_code == 303

    handling = _data(web_ws, SUGGESTION)["handling"]
    assert handling["lead_organ"] == ORGAN and handling["co_organs"] == ["区财政局"]
    assert handling["supervision"]["by"] == "常委会副主任 赵静英"
    assert handling["answer"]["class"] == "B" and handling["answer"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert handling["evaluation"]["result"] == "不满意"
    assert handling["rehandling"] == [
        {
            "answer": {"date": dt.date(2025, 8, 1), "class": "A", "summary": "已经解决"},
            "evaluation": {"date": dt.date(2025, 8, 5), "result": "满意"},
        }
    ]
    assert _data(web_ws, SUGGESTION)["public"] is True
    assert _status_of(web_ws, SUGGESTION) == Status.EVALUATED
    assert _removed_lines(before, _source(web_ws, SUGGESTION).read_text(encoding="utf-8")) == []
    report = validate(Workspace(web_ws))
    assert report.ok, [p.format() for p in report.errors]
    # the answer PDF downloads from the record page
    answer = organ.get(f"/records/{SUGGESTION}/answer/1")
    assert answer.status_code == 200 and answer.content == pdf


def test_a_step_against_the_validator_is_refused_with_its_message(client_as: ClientAs, web_ws: Path) -> None:
    """The step's own dates are the validator's: an answer before 交办 is refused, nothing written."""
    _plant_suggestion(web_ws, {"assigned": "2025-03-01", "lead_organ": ORGAN})
    before = _source(web_ws, SUGGESTION).read_bytes()
    response = _post(client_as("organ"), SUGGESTION, "answer", {"date": "2025-01-01", "class": "A"})
    assert response.status_code == 400
    assert "答复日期 2025-01-01 早于交办日期" in response.text
    assert _source(web_ws, SUGGESTION).read_bytes() == before


def test_bad_field_values_are_refused_at_their_field(client_as: ClientAs, web_ws: Path) -> None:
    _plant_suggestion(web_ws, {"assigned": "2025-03-01", "lead_organ": ORGAN})
    before = _source(web_ws, SUGGESTION).read_bytes()
    organ = client_as("organ")
    cases = [
        ("contact", {"date": "2025-13-01", "kind": "走访"}, "date", "不是有效日期"),
        ("contact", {"date": "2025-04-01", "kind": "走\x07访"}, "kind", "控制字符"),
        ("contact", {"date": "2025-04-01", "kind": "走访", "note": "长" * 2001}, "note", "过长"),
        ("answer", {"date": "2025-04-01", "class": "D"}, "class", "A、B、C"),
    ]
    for action, data, field, message in cases:
        response = _post(organ, SUGGESTION, action, data)
        assert response.status_code == 400, (action, data)
        assert f'id="err-{action}-{field}"' in response.text and message in response.text
    # YAML and template syntax in a text field are kept as text
    text = "{{ config }} {% if x %} key: value # not a comment"
    assert _post(organ, SUGGESTION, "contact", {"date": "2025-04-01", "kind": "电话", "note": text}).status_code == 303
    assert _data(web_ws, SUGGESTION)["handling"]["contacts"][-1]["note"] == text
    assert _source(web_ws, SUGGESTION).read_bytes() != before


def test_a_deputy_submits_their_own_draft_and_only_they_see_it(client_as: ClientAs, web_ws: Path) -> None:
    _plant_suggestion(web_ws, None, status="draft")
    deputy = client_as("deputy")
    assert deputy.get(f"/records/{SUGGESTION}").status_code == 200
    for role in ("member", "organ"):
        assert client_as(role).get(f"/records/{SUGGESTION}").status_code == 404
    assert _post(client_as("clerk"), SUGGESTION, "assign", {"date": TODAY, "lead_organ": ORGAN}).status_code == 403
    assert _post(deputy, SUGGESTION, "submit", {}).status_code == 303
    assert _data(web_ws, SUGGESTION)["status"] == "final"
    assert _post(deputy, SUGGESTION, "submit", {}).status_code == 403  # only once


def test_the_pdf_check_refuses_a_bomb_without_writing(client_as: ClientAs, web_ws: Path, tmp_path: Path) -> None:
    from pdfgen import flate_bomb_pdf

    organ = client_as("organ")
    bomb = flate_bomb_pdf(tmp_path / "bomb.pdf", 1).read_bytes()
    files = _files_beside(web_ws, OPINION)
    response = _post(organ, OPINION, "report", {}, bomb)
    assert response.status_code == 400 and 'id="err-report-file"' in response.text
    assert _files_beside(web_ws, OPINION) == files


def test_an_encrypted_fixture_is_really_encrypted() -> None:
    """The refusal above is for the right reason: the fixture needs a password."""
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(FIXTURES / "encrypted.pdf")


def test_a_record_above_the_viewers_clearance_has_no_handle_page_and_takes_no_step(
    client_as: ClientAs, web_ws: Path, tmp_path: Path
) -> None:
    """A 秘密 opinion addressed to the organ: to a 内部 organ or clerk it is the same 404 as a missing record, for
    the page and for a step, and nothing is written or stored."""
    path = _source(web_ws, OPINION)
    path.write_text(path.read_text(encoding="utf-8").replace("classification: 公开", "classification: 秘密"), "utf-8")
    before, files = path.read_bytes(), _files_beside(web_ws, OPINION)
    pdf = _report_pdf(tmp_path)
    for role in ("organ", "clerk"):
        client = client_as(role)
        assert client.get(f"/records/{OPINION}/handle").status_code == 404
        assert _post(client, OPINION, "report", {"title": "关于审议意见研究处理情况的报告"}, pdf).status_code == 404
    assert path.read_bytes() == before and _files_beside(web_ws, OPINION) == files
