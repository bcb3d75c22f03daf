"""Benchmark document rendering on a synthetic workspace.

    python bench/render.py 100 [--pdf-batch 100] [--keep DIR]

The workspace is grown from the bundled sample with bench/validate.py's generator, so the documents
are realistic sittings, opinions, inspections and deputy reports.  The first N renderable final records
are rendered three ways in the same run:

- bare docxtpl: DocxTemplate(template).render(context) and save, the floor any renderer pays;
- renda .docx: the same templates and contexts, plus renda's layout pass and atomic publication;
- renda PDF: the first --pdf-batch documents of those, .docx plus PDF through LibreOffice in one call,
  once without and once with the GB/T 9704 check that `renda render` runs on every PDF.

It prints documents per second, per-document latency percentiles, the ratio renda/bare (the issue asks
≥ 0.7), the amortised seconds per PDF (the issue asks ≤ 0.3 s in a batch of 100) and peak memory of
this process and of LibreOffice.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

from generator import generate  # noqa: E402
from validate import _pct  # noqa: E402

from archive.catalog import load_catalog  # noqa: E402
from archive.render import render_documents  # noqa: E402
from archive.render.documents import Document  # noqa: E402
from archive.render.engine import render_docx  # noqa: E402
from archive.render.kinds import documents_for  # noqa: E402
from archive.workspace import Workspace  # noqa: E402


def _bare_docxtpl(workspace: Workspace, docs: list[Document], out: Path) -> list[float]:
    import jinja2
    from docxtpl import DocxTemplate

    env = jinja2.Environment(autoescape=True)
    times = []
    for doc in docs:
        start = time.perf_counter()
        template = DocxTemplate(str(workspace.template_path(doc.template)))
        template.render(dict(doc.context), jinja_env=env, autoescape=True)
        template.save(str(out / f"{doc.stem}.docx"))
        times.append(time.perf_counter() - start)
    return times


def _renda_docx(workspace: Workspace, docs: list[Document], out: Path) -> list[float]:
    times = []
    for doc in docs:
        start = time.perf_counter()
        render_docx(workspace, doc, out)
        times.append(time.perf_counter() - start)
    return times


def _row(name: str, times: list[float]) -> list[str]:
    total = sum(times)
    return [
        name,
        str(len(times)),
        f"{total:.2f}",
        f"{len(times) / total:.1f}" if total else "-",
        f"{_pct(times, 0.50) * 1000:.1f}",
        f"{_pct(times, 0.95) * 1000:.1f}",
        f"{_pct(times, 0.99) * 1000:.1f}",
    ]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, help="documents to render")
    parser.add_argument("--pdf-batch", type=int, default=100, help="documents in the PDF batch (0: skip)")
    parser.add_argument("--keep", type=Path, help="keep the synthetic workspace here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="renda-bench-render-"))
    try:
        root = args.keep or tmp / "ws"
        root.mkdir(parents=True, exist_ok=True)
        # documents per record is about one; deputies are records too, so grow generously
        generate(REPO, root, max(200, args.n * 2))
        workspace = Workspace(root)
        catalog = load_catalog(workspace)
        records = [r for r in catalog.records if r.type != "deputy" and r.is_final]
        names = {r.id: r.title for r in catalog.records if r.type == "deputy"}
        docs: list[Document] = []
        for record in records:
            docs.extend(documents_for(record, workspace.config, names))
            if len(docs) >= args.n:
                break
        docs = docs[: args.n]
        if len(docs) < args.n:
            sys.exit(f"only {len(docs)} documents in the synthetic workspace")
        # warm up imports and the template cache of the file system
        _bare_docxtpl(workspace, docs[:3], Path(tempfile.mkdtemp(dir=tmp)))
        _renda_docx(workspace, docs[:3], Path(tempfile.mkdtemp(dir=tmp)))

        bare = _bare_docxtpl(workspace, docs, Path(tempfile.mkdtemp(dir=tmp)))
        renda = _renda_docx(workspace, docs, Path(tempfile.mkdtemp(dir=tmp)))
        rows = [["", "docs", "seconds", "docs/s", "p50 ms", "p95 ms", "p99 ms"]]
        rows += [_row("bare docxtpl", bare), _row("renda .docx", renda)]
        print(f"N = {args.n} documents, {os.cpu_count()} cores\n")
        print(_table(rows))
        ratio = (len(renda) / sum(renda)) / (len(bare) / sum(bare))
        print(f"\nrenda .docx speed / bare docxtpl speed = {ratio:.2f} (target ≥ 0.70)")

        if args.pdf_batch:
            batch_ids = []
            for doc in docs[: args.pdf_batch]:
                if doc.record.id not in batch_ids:
                    batch_ids.append(doc.record.id)
            batch_records = [r for r in records if r.id in set(batch_ids)]
            # the same batch twice: without the conformance check, then as `renda render` runs it (checked)
            per_pdf = {}
            for checked in (False, True):
                out = Path(tempfile.mkdtemp(dir=tmp))
                start = time.perf_counter()
                result = render_documents(workspace, batch_records, out, formats=("docx", "pdf"), check=checked)
                wall = time.perf_counter() - start
                pdfs = len(list(out.glob("*.pdf")))
                per_pdf[checked] = wall / max(pdfs, 1)
                label = "checked (renda render)" if checked else "unchecked"
                print(
                    f"\nPDF batch, {label}: {len(batch_records)} records → {pdfs} PDFs in {wall:.1f} s = "
                    f"{per_pdf[checked]:.3f} s per PDF amortised, .docx included (target ≤ 0.300)"
                )
                if result.failures or result.notices:
                    print(f"failures: {len(result.failures)}; notices: {result.notices}")
            print(f"conformance check: {per_pdf[True] / per_pdf[False]:.2f}× the unchecked seconds per PDF")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\npeak RSS: this process {own:.0f} MiB; largest LibreOffice process {children:.0f} MiB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
