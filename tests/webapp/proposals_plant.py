"""Suggestions planted at every classification for the web pages' proposal matrix (/track, /track/stats, the
dashboards, the record page), and the scope rule of DOMAIN.md §7 for them, written out from the raw YAML.

For each level of ``LEVELS`` the sample workspace gets five suggestions of the 2025 session:

* ``n1`` led by the deputy account's deputy (d001), handled by ``ORGAN`` (区教育局) alone, not answered: overdue;
* ``n2`` led by another deputy and co-signed by d001, handled by ``OTHER`` (区卫生健康委员会) with ``ORGAN`` as 会办,
  answered (A) and evaluated 满意, with an answer PDF, published (``public: true``);
* ``n3`` naming neither d001 nor ``ORGAN``: handled by ``OTHER``, under 重点督办, answered (B) with a PDF that is
  not published, not evaluated;
* ``n4`` a draft led by d001 for ``ORGAN``;
* ``n5`` handled by ``ORGAN``, assigned later: due soon on the reference date.

The ceiling is raised to 机密.  Nothing here asks the library what a viewer sees.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from webapp.planted import own_draft

LEVELS = ("公开", "内部", "秘密", "机密")  # the order of the law, written out here on purpose
DEPUTY = "d001"
ORGAN = "区教育局"
OTHER = "区卫生健康委员会"
AS_OF = dt.date(2025, 6, 30)  # oversight.as_of of the sample's renda.yaml
MARK = "翠微湖"
ANSWER_PDF = b"%PDF-1.4\n% an answer letter stands in here\n%%EOF\n"


def _rank(level: str) -> int:
    return LEVELS.index(level)


def _suggestion(number: int, level: str, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": f"suggestion-2025-{number}",
        "type": "suggestion",
        "term": 17,
        "date": dt.date(2025, 1, 8),
        "title": f"关于{MARK}第{number}号事项的建议",
        "classification": level,
        "status": "final",
        "number": number,
        "session": 5,
        "lead": "d033",
        "category": "教育",
        "body": ["第一段。", "为此建议：认真研究。"],
    }
    data.update(fields)
    return data


def _answered(answer_class: str, file: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "date": dt.date(2025, 4, 20),
        "doc_number": "澄教函〔2025〕9号",
        "class": answer_class,
        "summary": "已列入计划。",
    }
    if file:
        answer["file"] = file
    return answer


def plant(root: Path, ceiling: str = "机密") -> list[dict[str, Any]]:
    """Write the planted suggestions into ``root`` (a scratch sample copy), their answer PDFs, and raise its
    ceiling; their data."""
    planted: list[dict[str, Any]] = []
    for k, level in enumerate(LEVELS):
        base = 900 + 10 * k
        assigned = dt.date(2025, 2, 18)
        pdf, pdf3 = f"answers/answer-{base + 2}.pdf", f"answers/answer-{base + 3}.pdf"
        (root / "answers").mkdir(exist_ok=True)
        (root / pdf).write_bytes(ANSWER_PDF + level.encode("utf-8"))
        (root / pdf3).write_bytes(ANSWER_PDF + b"n3")
        planted += [
            _suggestion(base + 1, level, lead=DEPUTY, handling={"assigned": assigned, "lead_organ": ORGAN}),
            _suggestion(
                base + 2,
                level,
                cosigners=[DEPUTY],
                category="医疗卫生",
                handling={
                    "assigned": assigned,
                    "lead_organ": OTHER,
                    "co_organs": [ORGAN],
                    "answer": _answered("A", pdf),
                    "evaluation": {"date": dt.date(2025, 5, 6), "result": "满意"},
                },
                public=True,
            ),
            _suggestion(
                base + 3,
                level,
                category="医疗卫生",
                handling={
                    "assigned": assigned,
                    "lead_organ": OTHER,
                    "supervision": {"by": "常委会副主任 李明", "date": dt.date(2025, 2, 25)},
                    "answer": _answered("B", pdf3),
                },
            ),
            _suggestion(
                base + 4, level, lead=DEPUTY, status="draft", handling={"assigned": assigned, "lead_organ": ORGAN}
            ),
            _suggestion(base + 5, level, handling={"assigned": dt.date(2025, 4, 3), "lead_organ": ORGAN}),
        ]
    for data in planted:
        path = root / "records" / "2025" / f"{data['id']}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = root / "renda.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "max_public_classification: 内部", f"max_public_classification: {ceiling}"
    )
    config.write_text(text, encoding="utf-8")
    return planted


def sample_proposals(root: Path) -> list[dict[str, Any]]:
    """Every suggestion and motion of the workspace, as raw YAML."""
    found = []
    for kind in ("suggestion", "motion"):
        for path in sorted((root / "records").glob(f"*/{kind}-*.yaml")):
            found.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def signers(data: dict[str, Any]) -> list[str]:
    return [data["lead"], *data.get("cosigners", [])]


def handlers(data: dict[str, Any]) -> list[str]:
    handling = data.get("handling") or {}
    return [handling["lead_organ"], *handling.get("co_organs", [])] if handling else []


def sees(role: str, clearance: str, data: dict[str, Any], organ: str = ORGAN) -> bool:
    """DOMAIN.md §7 for a suggestion or motion: the office sees all up to its clearance; members final ones; a
    deputy final 公开 ones and those they led or co-signed; an organ final 公开 ones and those it handles."""
    if _rank(data["classification"]) > _rank(clearance):
        return False
    if role in ("admin", "clerk"):
        return True
    if data["status"] != "final":
        return own_draft(role, data, DEPUTY)
    if role == "member" or data["classification"] == "公开":
        return True
    if role == "deputy":
        return DEPUTY in signers(data)
    if role == "organ":
        return organ in handlers(data)
    return False


def followed(data: dict[str, Any]) -> bool:
    """Listed by ``renda track`` on the reference date: raised by then, not a motion turned into a suggestion."""
    decision = data.get("decision") or {}
    return data["date"] <= AS_OF and not (decision.get("result") == "转为建议" and decision["date"] <= AS_OF)


def last_answer(data: dict[str, Any]) -> dict[str, Any] | None:
    """The latest answer given by the reference date."""
    handling = data.get("handling") or {}
    rounds = [handling, *handling.get("rehandling", [])]
    answers = [r["answer"] for r in rounds if r.get("answer") and r["answer"]["date"] <= AS_OF]
    return answers[-1] if answers else None
