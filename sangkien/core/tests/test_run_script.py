"""`make run` (scripts/run.sh) leaves nothing running however it is stopped: Ctrl+C (INT),
TERM or HUP sent to its process group, as a terminal, a supervisor or a test harness does.

Each run starts the real script on a free port, in a process group of its own, against a
temporary SANGKIEN_VAR_DIR whose SQLite database was migrated and seeded at the smallest
scale beforehand (so `seed --scale demo --once` finds it seeded and skips, as it does on
every `make run` after the first). Every process of a run carries that SANGKIEN_VAR_DIR in
its environment, which is how the test finds the ones left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SANGKIEN = ROOT / ".venv" / "bin" / "sangkien"
STARTUP_SECONDS = 180  # a busy two-core machine takes its time to start two Djangos

# The three runs share one seeded database (built once per worker that runs them).
pytestmark = [pytest.mark.xdist_group("run_script"), pytest.mark.long]


def _environment(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SANGKIEN_TASKS", "SANGKIEN_MEDIA_ROOT"}
    }
    env["SANGKIEN_VAR_DIR"] = str(var_dir)
    env["SANGKIEN_WORKER_GRACE"] = "20"
    return env


def processes_of(var_dir: Path) -> dict[int, str]:
    """pid → command line of every live process whose environment names `var_dir`."""
    marker = f"SANGKIEN_VAR_DIR={var_dir}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state != "Z":
            found[int(entry.name)] = cmdline
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def seeded_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SANGKIEN.exists():
        pytest.fail(f"{SANGKIEN} is missing: run make install", pytrace=False)
    var = tmp_path_factory.mktemp("seeded-var")
    env = _environment(var)
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed", "--scale", "test", "--no-progress"],
    ):
        subprocess.run(
            [str(SANGKIEN), *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return var


@pytest.fixture
def var_dir(seeded_var: Path, tmp_path: Path) -> Iterator[Path]:
    var = tmp_path / "var"
    shutil.copytree(seeded_var, var)
    yield var
    for pid in processes_of(var):  # never leave a failed run's processes behind
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name
)
def test_make_run_stops_server_and_worker_on_a_signal_to_its_group(sig, var_dir, tmp_path):
    port = free_port()
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "run.sh"), str(port)],
        cwd=ROOT,
        env=_environment(var_dir),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers(f"http://127.0.0.1:{port}/healthz"):
            assert run.poll() is None, (tmp_path / "run.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "run.log").read_text()
            time.sleep(0.5)
        running = processes_of(var_dir)
        assert any("sangkien worker" in c for c in running.values()), running
        assert any("sangkien runserver" in c for c in running.values()), running
        assert (var_dir / "worker.pid").exists()

        os.killpg(run.pid, sig)
        run.wait(timeout=60)
        # What the script waited for is gone; give anything it merely signalled a moment.
        deadline = time.monotonic() + 5
        while processes_of(var_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_of(var_dir) == {}, (tmp_path / "run.log").read_text()
        assert not answers(f"http://127.0.0.1:{port}/healthz")
        assert not (var_dir / "worker.pid").exists()
        assert run.returncode == 128 + sig
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        log.close()
