"""`make serve` (scripts/serve.sh): the production server with debug off, its static files
collected for whitenoise, the worker beside it, both stopped by a signal to the run's
process group; and no start at all with an unsafe configuration.

The run gets a temporary SANGKIEN_VAR_DIR (a fresh SQLite database, which serve.sh
migrates) and a temporary SANGKIEN_STATIC_ROOT; every process carries that SANGKIEN_VAR_DIR
in its environment, which is how the test finds the ones left behind."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sangkien.core.tests.test_run_script import (
    ROOT,
    SANGKIEN,
    STARTUP_SECONDS,
    answers,
    free_port,
    processes_of,
)

pytestmark = [pytest.mark.xdist_group("run_script"), pytest.mark.long]


def production_environment(tmp_path: Path, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANGKIEN_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "SANGKIEN_VAR_DIR": str(tmp_path / "var"),
            "SANGKIEN_STATIC_ROOT": str(tmp_path / "static"),
            "SANGKIEN_SECRET_KEY": secrets.token_urlsafe(50),
            "SANGKIEN_ALLOWED_HOSTS": "127.0.0.1",
            "SANGKIEN_FROM_EMAIL": "sangkien@example.vn",
            "SANGKIEN_EMAIL_HOST": "smtp.example.vn",
            # The test speaks plain HTTP on loopback, as a proxy that ends TLS would.
            "SANGKIEN_SSL_REDIRECT": "0",
            "SANGKIEN_PORT": str(port),
            "SANGKIEN_WORKERS": "2",
            "SANGKIEN_WORKER_GRACE": "20",
        }
    )
    return env


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    if not SANGKIEN.exists():
        pytest.fail(f"{SANGKIEN} is missing: run make install", pytrace=False)
    var = tmp_path / "var"
    yield var
    for pid in processes_of(var):  # never leave a failed run's processes behind
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def test_make_serve_runs_gunicorn_and_the_worker_and_stops_both_on_term(var_dir, tmp_path):
    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("wb")
    run = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=production_environment(tmp_path, port),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not answers(f"http://127.0.0.1:{port}/healthz"):
            assert run.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        running = processes_of(var_dir)
        assert any("sangkien worker" in c for c in running.values()), running
        assert any("gunicorn" in c for c in running.values()), running
        assert not any("runserver" in c for c in running.values()), running

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:  # noqa: S310
            headers = page.headers
            html = page.read().decode()
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "camera=()" in headers["Permissions-Policy"]
        # Debug is off: the static files come from whitenoise, hashed and compressed.
        assert "/static/vendor/htmx/htmx.min." in html
        start = html.index("/static/vendor/htmx/htmx.min.")
        script = html[start : html.index('"', start)]
        assert script != "/static/vendor/htmx/htmx.min.js", script
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{script}") as static:  # noqa: S310
            assert static.status == 200
            assert "max-age=315360000" in static.headers["Cache-Control"]

        os.killpg(run.pid, signal.SIGTERM)
        run.wait(timeout=60)
        deadline = time.monotonic() + 5
        while processes_of(var_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_of(var_dir) == {}, log_path.read_text()
        assert not answers(f"http://127.0.0.1:{port}/healthz")
        assert not (var_dir / "worker.pid").exists()
        assert run.returncode == 128 + signal.SIGTERM
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        log.close()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SANGKIEN_DEBUG", "1", "sangkien.E001"),
        ("SANGKIEN_ALLOWED_HOSTS", "*", "sangkien.E003"),
        ("SANGKIEN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "E002"),
        ("SANGKIEN_SECURE_COOKIES", "0", "security.W012"),
        ("SANGKIEN_SECRET_KEY", "", "set SANGKIEN_SECRET_KEY"),
    ],
)
def test_make_serve_refuses_an_unsafe_configuration(variable, value, message, var_dir, tmp_path):
    env = production_environment(tmp_path, free_port())
    env[variable] = value
    run = subprocess.run(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert message in run.stderr
    assert not var_dir.exists()  # nothing migrated, nothing started
