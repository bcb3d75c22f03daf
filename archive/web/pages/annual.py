"""归档: the year's pre-flight, a build with live progress, download and verify report (/archive/{year}).

For the office only.  The package holds every final record of the year up to the workspace ceiling, so it is
built, downloaded and verified only by an account whose clearance reaches that ceiling; the pre-flight and
the progress shown to anyone else name only the records they see.  One build runs at a time per workspace
(a second request is told one runs); the page polls its progress with htmx.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ...accounts import Viewer
from ...loaded import Catalog
from ...progress import Step
from ...records import classification_rank
from ..page import audit, render, require, respond, site

if TYPE_CHECKING:
    from ...workspace import Workspace

OFFICE = ("admin", "clerk")
HIDDEN = "（一条涉及您无权查看的记录的提示）"


@dataclass
class Build:
    """One build of a year's package, run in a thread: where it stands and how it ended."""

    year: int
    step: Step | None = None
    done: bool = False
    error: str | None = None
    path: Path | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


_lock = threading.Lock()
_builds: dict[Path, Build] = {}  # workspace root → its latest build (one runs at a time)


def _year(request: Request) -> int:
    raw = request.path_params["year"]
    if not (raw.isdigit() and len(raw) == 4):
        raise HTTPException(404)
    return int(raw)


def _hidden_names(who: Viewer, catalog: Catalog) -> list[str]:
    """Ids and source paths of the records the viewer may not see (what no message may name)."""
    return [n for r in catalog.records if not who.sees(r) for n in (r.source, r.id)]


def _screen_lines(lines: list[str], hidden: list[str]) -> list[str]:
    return [HIDDEN if any(name in line for name in hidden) else line for line in lines]


def _may_build(who: Viewer, ceiling: str) -> bool:
    return classification_rank(who.clearance.level) >= classification_rank(ceiling)


def _package(workspace: Workspace, year: int) -> Path:
    from ...annual.build import package_name

    folder: Path = workspace.output_dir / "archive"
    return folder / f"{package_name(workspace.config.fonds_code, year)}.zip"


def years(request: Request) -> Response:
    who = require(request, *OFFICE)
    catalog = who.screen(site(request).catalog())
    found = sorted({r.date.year for r in catalog.records if r.date}, reverse=True)
    return respond(request, "annual/years.html", found, years=found)


def year_page(request: Request) -> Response:
    from ...annual import preflight

    who = require(request, *OFFICE)
    year = _year(request)
    the_site = site(request)
    workspace = the_site.workspace
    arrangement = preflight(workspace, year)
    hidden = _hidden_names(who, the_site.catalog())
    notices = _screen_lines([n.format() for n in arrangement.sorted_notices], hidden)
    items = [i for i in arrangement.items if who.sees(i.record)]
    drafts = [r for r in arrangement.drafts if who.sees(r)]
    allowed = _may_build(who, arrangement.max_classification)
    package = _package(workspace, year)
    data = {
        "year": year,
        "items": len(items),
        "ok": not arrangement.blocking,
        "notices": notices,
        "may_build": allowed,
    }
    context: dict[str, Any] = {
        "year": year,
        "items": items,
        "drafts": drafts,
        "notices": notices,
        "blocking": len(arrangement.blocking),
        "may_build": allowed,
        "ceiling": arrangement.max_classification,
        "state": _progress_state(who, the_site, year),
        "package": package.name if allowed and package.is_file() else None,
    }
    return respond(request, "annual/year.html", data, **context)


def start_build(request: Request) -> Response:
    """POST: start the year's build in the background, unless one runs already."""
    from ...annual import build_annual_archive

    who = require(request, *OFFICE)
    year = _year(request)
    the_site = site(request)
    workspace = the_site.workspace
    if not _may_build(who, workspace.config.max_public_classification):
        raise HTTPException(403)
    with _lock:
        running = _builds.get(workspace.root)
        if running is not None and not running.done:
            return render(request, "annual/busy.html", 409, year=year, running=running.year)
        build = Build(year)
        _builds[workspace.root] = build

        def work() -> None:
            try:
                result = build_annual_archive(
                    workspace, year, workspace.output_dir / "archive", as_zip=True, progress=_tell(build)
                )
                build.path = result.path
            except Exception as exc:  # shown on the page (screened); a bug is also in the server log
                build.error = str(exc) or exc.__class__.__name__
            finally:
                build.done = True

        build.thread = threading.Thread(target=work, name=f"renda-archive-{year}", daemon=True)
        build.thread.start()
    audit(request, "archive_build", str(year))
    return RedirectResponse(f"/archive/{year}", status_code=303)


def _tell(build: Build) -> Any:
    def progress(step: Step) -> None:
        build.step = step

    return progress


def _progress_state(who: Viewer, the_site: Any, year: int) -> dict[str, Any]:
    """Where the year's build stands, naming only records the viewer sees."""
    build = _builds.get(the_site.workspace.root)
    if build is None or build.year != year:
        return {
            "running": False,
            "done": False,
            "year": year,
            "stage": None,
            "step": 0,
            "total": 0,
            "current": "",
            "error": None,
        }
    catalog = the_site.catalog()
    step = build.step
    visible = {r.id for r in who.screen(catalog).records}
    error = None
    if build.error:
        error = "\n".join(_screen_lines(build.error.splitlines(), _hidden_names(who, catalog)))
    return {
        "running": not build.done,
        "done": build.done,
        "year": year,
        "stage": step.stage if step else None,
        "step": step.done if step else 0,
        "total": step.total if step else 0,
        "current": step.current if step and step.current in visible else "",
        "error": error,
    }


def progress(request: Request) -> Response:
    """The build's progress (an htmx fragment, polled while it runs; JSON on request)."""
    who = require(request, *OFFICE)
    year = _year(request)
    state = _progress_state(who, site(request), year)
    return respond(request, "annual/progress.html", state, state=state)


def _built_package(request: Request) -> tuple[Viewer, int, Path]:
    who = require(request, *OFFICE)
    year = _year(request)
    workspace = site(request).workspace
    if not _may_build(who, workspace.config.max_public_classification):
        raise HTTPException(403)
    package = _package(workspace, year)
    if not package.is_file():
        raise HTTPException(404)
    return who, year, package


def download(request: Request) -> Response:
    _, year, package = _built_package(request)
    audit(request, "download", f"archive-{year}", file=package.name)
    return FileResponse(package, media_type="application/zip", filename=package.name)


def verify(request: Request) -> Response:
    from ...annual import verify_package
    from ...annual.verify import PROPERTIES

    _, year, package = _built_package(request)
    report = verify_package(package)
    rows = [(name, report.checked[key], len(report.failed(key))) for key, name in PROPERTIES.items()]
    return respond(
        request, "annual/verify.html", report.as_dict() | {"path": package.name}, year=year, report=report, rows=rows
    )


routes: list[BaseRoute] = [
    Route("/archive", years, name="archive_years"),
    Route("/archive/{year}", year_page, name="archive_year"),
    Route("/archive/{year}/build", start_build, methods=["POST"], name="archive_build"),
    Route("/archive/{year}/progress", progress, name="archive_progress"),
    Route("/archive/{year}/download", download, name="archive_download"),
    Route("/archive/{year}/verify", verify, name="archive_verify"),
]
