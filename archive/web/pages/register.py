"""发文登记: /register (page and JSON twin) and /register.xlsx — the documents issued in a year, for the office
and the members, screened by clearance like every list (``archive.issuing.register``)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from archive.web.page import audit, require, respond, site, view_of
from archive.web.pages.records import disposition

if TYPE_CHECKING:
    from starlette.requests import Request

    from archive.issuing import RegisterRow

READERS = ("admin", "clerk", "member")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(request: Request) -> tuple[int, list[int], str, list[RegisterRow]]:
    """The year asked for (default: the newest with issued documents), the years there are, the order, the rows
    — of what the viewer sees."""
    from archive.issuing import register_rows, register_years
    from archive.issuing.register import SORTS

    who = require(request, *READERS)
    records = view_of(request, who).records
    years = register_years(records)
    raw = request.query_params.get("year") or ""
    if raw and (not raw.isdigit() or len(raw) != 4):
        raise HTTPException(400, f"年份应为四位数字，实际为“{raw[:20]}”")
    year = int(raw) if raw else (years[0] if years else dt.date.today().year)
    sort = request.query_params.get("sort") or "number"
    if sort not in SORTS:
        raise HTTPException(400, f"排序方式应为 {'、'.join(SORTS)} 之一，实际为“{sort[:20]}”")
    return year, years, sort, register_rows(records, year, sort)


def register(request: Request) -> Response:
    from archive.clearance import marking
    from archive.issuing.register import COLUMNS, SORTS

    year, years, sort, rows = _rows(request)
    level = marking(r.record for r in rows)
    data = {"year": year, "classification": level, "rows": [r.as_dict() for r in rows]}
    return respond(
        request,
        "register.html",
        data,
        year=year,
        years=years,
        sort=sort,
        sorts=SORTS,
        rows=rows,
        columns=COLUMNS,
        marking=level,
    )


def register_xlsx(request: Request) -> Response:
    from archive.clearance import marking
    from archive.issuing import register_xlsx as make_xlsx

    year, _, sort, rows = _rows(request)
    heading = f"{site(request).name}发文登记（{year}年）"
    body = make_xlsx(rows, heading)
    level = marking(r.record for r in rows)
    if level != "公开":
        audit(request, "download", f"register-{year}", classification=level, rows=len(rows), sort=sort)
    name = f"发文登记-{year}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": disposition(name, f"register-{year}.xlsx")})


routes: list[BaseRoute] = [
    Route("/register", register, name="register"),
    Route("/register.xlsx", register_xlsx, name="register_xlsx"),
]
