"""A record with errors is named wherever a command meets it (issue 16 item 17, issue 11 item 6): `render --all`
counts it as a failure and exits 1 while the good records are still rendered; `render ID` names its file and
first error and points to `renda validate`; `archive build` (and `--check`) names it instead of skipping it."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from click.testing import CliRunner, Result
from samples import REPO, copy_sample

import cli


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def _generated(target: Path, n: int) -> Path:
    """A workspace of ``n`` records grown from the sample by the benchmarks' one generator."""
    spec = importlib.util.spec_from_file_location("bench_generator", REPO / "bench" / "generator.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    target.mkdir(parents=True)
    module.generate(REPO, target, n)
    return target


def _ids(root: Path) -> dict[str, str]:
    """id → type of every record file, read with a regular expression (not with renda)."""
    out = {}
    for path in sorted((root / "records").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        rid, rtype = re.search(r"(?m)^id: (\S+)$", text), re.search(r"(?m)^type: (\S+)$", text)
        assert rid and rtype, path
        out[rid.group(1)] = rtype.group(1)
    return out


def test_render_all_names_and_counts_one_broken_record_among_hundreds_and_renders_the_rest(tmp_path: Path) -> None:
    root = _generated(tmp_path / "ws", 300)
    ids = _ids(root)
    assert len(ids) >= 300
    opinions = sorted((root / "records").glob("20*/opinion-*.yaml"))
    broken = opinions[len(opinions) // 2]
    source, broken_id = broken.relative_to(root).as_posix(), broken.stem
    text = broken.read_text(encoding="utf-8").splitlines()
    title_line = next(i for i, line in enumerate(text, 1) if line.startswith("title: "))
    text[title_line - 1] = "title: [没有闭合的方括号"
    broken.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"

    result = _run(root, "render", "--all", "--format", "docx", "-o", str(out))

    # today: "共生成 N 个文件，0 个失败。", exit 0, and nothing said about the broken record
    assert result.exit_code == 1, result.output
    written = sorted(out.glob("*.docx"))
    assert f"共生成 {len(written)} 个文件，1 个失败。" in result.stdout
    failures = [line for line in result.stderr.splitlines() if "错误：" in line]
    assert len(failures) == 1
    assert failures[0].startswith(f"{source}: 错误：记录有错误，未生成（第 {title_line} 行：YAML 语法错误")
    assert failures[0].endswith("）；请先运行 renda validate")
    stems = {p.stem for p in written}
    documents = {i for i, kind in ids.items() if kind != "deputy"}  # the registry has no document of its own
    assert documents - {broken_id} <= stems
    assert broken_id not in stems


def test_render_all_json_lists_a_record_that_fails_its_schema_as_a_failure(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    path = root / "records/2024/opinion-2024-02.yaml"
    text = path.read_text(encoding="utf-8")
    date_line = text.splitlines().index(next(ln for ln in text.splitlines() if ln.startswith("date: "))) + 1
    path.write_text(re.sub(r"(?m)^date: .*$", "date: 2024-02-30", text), encoding="utf-8")

    result = _run(root, "render", "--all", "--format", "docx", "-o", str(tmp_path / "out"), "--json")

    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["failures"] == [
        {
            "id": "opinion-2024-02",
            "source": "records/2024/opinion-2024-02.yaml",
            "message": (
                f"记录有错误，未生成（第 {date_line} 行：date: 日期不存在：2024年2月没有30日）；请先运行 renda validate"
            ),
        }
    ]
    rendered = {d["id"] for d in report["documents"]}
    expected = {i for i, kind in _ids(root).items() if kind != "deputy"} - {"opinion-2024-02"}
    assert rendered == expected


def test_render_of_a_record_that_does_not_parse_names_its_file_and_error_not_a_missing_record(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    (root / "records/2024/opinion-2024-01.yaml").write_text("id: opinion-2024-01\ntitle: [\n", encoding="utf-8")
    out = tmp_path / "out"

    by_id = _run(root, "render", "opinion-2024-01", "--format", "docx", "-o", str(out))
    by_path = _run(root, "render", str(root / "records/2024/opinion-2024-01.yaml"), "--format", "docx", "-o", str(out))
    together = _run(root, "render", "opinion-2024-02", "opinion-2024-01", "--format", "docx", "-o", str(out))

    for result in (by_id, by_path, together):
        assert result.exit_code == 1, result.output
        # today: 找不到记录“opinion-2024-01”……是否应为“opinion-2024-02”？
        assert "找不到记录" not in result.output
        assert result.output.startswith("错误：记录 records/2024/opinion-2024-01.yaml 有错误，无法生成：第 3 行：")
        assert result.output.rstrip().endswith("；请先运行 renda validate")
        assert "Traceback" not in result.output
    assert not out.exists()


def test_archive_build_and_check_name_a_record_of_the_year_that_fails_to_load(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    (root / "records/2024/cwh-17-19.yaml").write_text("id: cwh-17-19\ntype: meeting\n  bad: indent\n", encoding="utf-8")
    out = tmp_path / "archive"

    check = _run(root, "archive", "build", "2024", "--check")
    build = _run(root, "archive", "build", "2024", "-o", str(out))

    for result in (check, build):
        assert result.exit_code == 1, result.output
        assert "records/2024/cwh-17-19.yaml:3: " in result.output
        assert "工作区有 1 个错误，不能归档；请先运行 renda validate 修正。" in result.output
        assert "可以归档" not in result.output
    assert not out.exists() or not any(out.iterdir())
