"""Killed runs leave nothing behind (issue 16, items 14 and 15): no process, no stuck lock, no temp folder.

The processes, folders and locks here are real: runs are killed with SIGKILL in subprocesses, and what a
"dead run" left is made with the name of a process that has really exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from samples import RENDA_COMMAND, REPO, copy_sample

import cli
from archive.search.index import update_index
from archive.workspace import Workspace

sys.path.insert(0, str(REPO / "bench"))
import kill as killbench

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and kills processes")


def _renda(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli.cli, ["--root", str(root), *args])


def _identity_of_a_finished_process() -> str:
    """The identity of a process that ran and has exited: what a killed run wrote into its folder names."""
    code = "from archive.processes import identity; print(identity())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def sleeper() -> Iterator[str]:
    """A live process (its identity, as it reports it), standing for a concurrent renda run."""
    code = "from archive.processes import identity; print(identity(), flush=True); import time; time.sleep(120)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    yield proc.stdout.readline().strip()
    proc.kill()
    proc.communicate()


def _work_folder(parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    (folder / "secret.docx").write_bytes(b"PK secret document of a killed run")
    return folder


def _gone_within(pids: set[int], seconds: float = 5.0) -> set[int]:
    """Those of ``pids`` still running after ``seconds``."""
    deadline = time.monotonic() + seconds
    while killbench.running(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return killbench.running(pids)


# -- temp folders: the next run removes what a dead run left, and only that --------------------------------


def test_render_removes_work_folders_of_dead_runs_and_keeps_a_live_runs(tmp_path: Path, sleeper: str) -> None:
    root = copy_sample(tmp_path / "ws")
    out = root / "out"
    dead = _work_folder(out, f".renda-{_identity_of_a_finished_process()}.abcd1234")
    boot = sleeper.split("-")[2]
    reused = _work_folder(out, f".renda-{os.getpid()}-1-{boot}.efgh5678")  # this pid, but another process
    live = _work_folder(out, f".renda-{sleeper}.ijkl9012")
    old = _work_folder(out, ".renda-mnop3456")  # an older renda's, two days old
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    recent = _work_folder(out, ".renda-qrst7890")  # an older renda's, maybe still running

    result = _renda(root, "render", "opinion-2024-01", "--format", "docx")

    assert result.exit_code == 0, result.output
    assert not dead.exists() and not reused.exists() and not old.exists()
    assert (live / "secret.docx").is_file() and (recent / "secret.docx").is_file()
    assert (out / "opinion-2024-01.docx").is_file()
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == sorted([live.name, recent.name])


def test_render_stages_documents_in_a_private_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.render import engine

    root = copy_sample(tmp_path / "ws")
    modes: list[int] = []
    original = engine.render_docx

    def spy(workspace: Workspace, doc: object, out_dir: Path) -> Path:
        modes.append(out_dir.stat().st_mode & 0o777)
        assert out_dir.parent == root / "out" and out_dir.name.startswith(f".renda-{os.getpid()}-")
        return original(workspace, doc, out_dir)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "render_docx", spy)
    result = _renda(root, "render", "opinion-2024-01", "--format", "docx")
    assert result.exit_code == 0, result.output
    assert modes and set(modes) == {0o700}
    assert [p.name for p in (root / "out").iterdir()] == ["opinion-2024-01.docx"]


def test_index_removes_generations_a_killed_build_left(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    assert _renda(root, "index").exit_code == 0
    folder = root / ".renda" / "index" / "whoosh"
    live = folder / (folder / "CURRENT").read_text().strip()
    half = folder / "g-20240101000000-dead00"
    half.mkdir()
    (half / ".building").write_text(_identity_of_a_finished_process())
    (half / "MAIN_1.seg").write_bytes(b"x" * 1000)
    stray = live / ".manifest.tsv.abc.tmp"
    stray.write_bytes(b"half a manifest")

    result = _renda(root, "index")

    assert result.exit_code == 0, result.output
    assert not half.exists() and not stray.exists()
    assert (folder / "CURRENT").read_text().strip() == live.name and live.is_dir()
    assert _renda(root, "search", "物业").exit_code == 0


def test_archive_build_removes_what_a_killed_build_left(tmp_path: Path, sleeper: str) -> None:
    root = copy_sample(tmp_path / "ws")
    archive = root / "out" / "archive"  # 2022: the sample's smallest year
    dead = _work_folder(archive, f".J017-WS-2022.{_identity_of_a_finished_process()}.abcd1234")
    live = _work_folder(archive, f".J017-WS-2022.{sleeper}.efgh5678")

    result = _renda(root, "archive", "build", "2022")

    assert result.exit_code == 0, result.output
    assert not dead.exists() and live.is_dir()
    assert sorted(p.name for p in archive.iterdir()) == sorted(["J017-WS-2022", live.name])


# -- the index lock ----------------------------------------------------------------------------------------------

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
holder = sys.argv[2]
if holder == "self":
    from archive.processes import identity
    holder = identity()
os.ftruncate(fd, 0)
os.write(fd, (holder + "\\n").encode())
print("locked", flush=True)
time.sleep(120)
"""


def _hold_lock(root: Path, holder: str) -> subprocess.Popen[str]:
    lock = root / ".renda" / "index" / "lock"
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock), holder], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_index_lock_held_for_a_dead_holder_is_taken_over(tmp_path: Path) -> None:
    # what a killed `renda index` left before this fix: its workers, orphaned, still holding the lock
    root = copy_sample(tmp_path / "ws")
    update_index(Workspace(root))
    (root / "records" / "2024" / "new.yaml").write_text(
        (root / "records" / "2024" / "opinion-2024-01.yaml")
        .read_text(encoding="utf-8")
        .replace("id: opinion-2024-01", "id: opinion-2024-99")
        .replace("title: ", "title: 独角兽", 1),
        encoding="utf-8",
    )
    orphan = _hold_lock(root, _identity_of_a_finished_process())
    try:
        result = _renda(root, "index")
        assert result.exit_code == 0, result.output
        assert "另一个 renda 进程" not in result.output
        found = _renda(root, "search", "独角兽")
        assert found.exit_code == 0 and "opinion-2024-99" in found.output and "未能更新" not in found.output
    finally:
        orphan.kill()
        orphan.communicate()


def test_index_lock_held_by_a_live_process_is_respected(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    update_index(Workspace(root))
    holder = _hold_lock(root, "self")
    try:
        result = _renda(root, "index")
        assert result.exit_code == 1
        assert "错误：另一个 renda 进程正在更新检索索引" in result.output
    finally:
        holder.kill()
        holder.communicate()


# -- helper processes die with their parent --------------------------------------------------------------------

WORKERS_UNDER_LOCK = """
import os, sys, time
from pathlib import Path
from archive.search.store import parallel_map, writer_lock
from archive.workspace import Workspace

def work(n):
    print(os.getpid(), flush=True)
    time.sleep(120)
    return n

with writer_lock(Workspace(Path(sys.argv[1]))):
    parallel_map(work, [1, 2], processes=2)
"""


def test_index_workers_die_with_a_killed_parent_and_free_the_lock(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    parent = subprocess.Popen(
        [sys.executable, "-c", WORKERS_UNDER_LOCK, str(root)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert parent.stdout is not None
    workers = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    assert killbench.running(workers) == workers and killbench.lock_stuck(root)

    parent.send_signal(signal.SIGKILL)
    parent.communicate()

    assert _gone_within(workers) == set()
    assert not killbench.lock_stuck(root)
    assert _renda(root, "index").exit_code == 0


def _start_renda(root: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*RENDA_COMMAND, "--root", str(root), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for_libreoffice(proc: subprocess.Popen[bytes], timeout: float = 90) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"renda ended before LibreOffice started: {err and err.decode()[-1000:]}")
        below = killbench.descendants(proc.pid)
        if any(b"soffice" in Path(f"/proc/{p}/cmdline").read_bytes() for p in killbench.running(below)):
            time.sleep(0.5)  # let soffice.bin start under oosplash
            return killbench.descendants(proc.pid)
        time.sleep(0.05)
    pytest.fail("LibreOffice never started")


@pytest.mark.slow
def test_libreoffice_dies_with_a_killed_render_and_the_next_render_cleans_up(tmp_path: Path) -> None:
    root = copy_sample(tmp_path / "ws")
    proc = _start_renda(root, "render", "--all")
    below = _wait_for_libreoffice(proc)
    assert any(b"soffice.bin" in Path(f"/proc/{p}/cmdline").read_bytes() for p in killbench.running(below))

    proc.send_signal(signal.SIGKILL)
    proc.wait()

    assert _gone_within(below) == set()  # oosplash, soffice.bin and the watchdog
    assert killbench.temp_folders(root, {proc.pid})  # the work folder and LibreOffice profiles stay …
    assert killbench.partial_outputs(root, "render") == []
    nxt = subprocess.run([*RENDA_COMMAND, "--root", str(root), "render", "opinion-2024-01"], capture_output=True)
    assert nxt.returncode == 0, nxt.stderr.decode()
    assert killbench.temp_folders(root, {proc.pid}) == []  # … until the next render


# -- random kills: bench/kill.py in small ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kill") / "ws"
    killbench.make_workspace(root, 188)  # two whole copies of the sample: every reference resolves
    return root


# render: .docx only, to keep the suite fast (LibreOffice under a killed render: the test above)
SUITE_COMMANDS = {**killbench.COMMANDS, "render": [*killbench.COMMANDS["render"], "--format", "docx"]}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "delays"),
    [
        ("index", (0.3, 1.0, 2.0)),
        ("render", (0.5, 1.5, 3.0)),
        ("archive", (1.0, 3.0, "soffice")),
    ],
)
def test_kill_9_leaves_no_lock_no_process_no_partial_output_and_next_run_cleans_up(
    synthetic: Path, kind: str, delays: tuple[float | str, ...]
) -> None:
    outcome = killbench.Outcome(kind)
    for delay in delays:
        if delay == "soffice":  # the moment LibreOffice runs, chosen on purpose
            proc = killbench._run(synthetic, SUITE_COMMANDS[kind])
            below = _wait_for_libreoffice(proc)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            assert _gone_within(below) == set()
            outcome.killed.add(proc.pid)
        else:
            killbench.kill_once(synthetic, kind, float(delay), outcome, SUITE_COMMANDS[kind])
    assert outcome.problems == []
    assert outcome.stuck_locks == outcome.orphans == outcome.partial == 0
    assert not killbench.lock_stuck(synthetic)

    nxt = killbench._run(synthetic, SUITE_COMMANDS[kind])
    _, err = nxt.communicate()
    assert nxt.returncode == 0, err.decode()[-2000:]
    assert killbench.temp_folders(synthetic, outcome.killed) == []
