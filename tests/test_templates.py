"""The built-in templates are exactly what their builder writes: rebuilt into a temporary folder, every
templates/*.docx has the same bytes.  A template edited by hand, or a builder changed without rebuilding
(`python -m archive.render.template_builder`), fails here."""

from __future__ import annotations

import zipfile
from pathlib import Path

from samples import REPO

from archive.render.template_builder import build_templates

SHIPPED = REPO / "templates"


def test_the_shipped_templates_are_what_the_builder_writes(tmp_path: Path) -> None:
    built = build_templates(tmp_path)

    assert sorted(p.name for p in built) == sorted(p.name for p in SHIPPED.glob("*.docx"))
    stale = [p.name for p in built if p.read_bytes() != (SHIPPED / p.name).read_bytes()]
    assert stale == [], f"rebuild with: python -m archive.render.template_builder  ({'、'.join(stale)})"


def test_a_template_is_written_with_fixed_times_in_name_order(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in build_templates(tmp_path / "one")}
    second = {p.name: p.read_bytes() for p in build_templates(tmp_path / "two")}

    assert first == second
    with zipfile.ZipFile(tmp_path / "one" / "opinion.docx") as package:
        names = package.namelist()
        assert names[0] == "[Content_Types].xml" and names == sorted(names)
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
