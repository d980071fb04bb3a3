"""The deployment checks (sangkien.core.checks) and the production settings they guard."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest

from sangkien.core.checks import DEV_SECRET_KEY, check_production_settings
from sangkien.core.tests.test_run_script import ROOT, SANGKIEN

GOOD_KEY = "k" + secrets.token_urlsafe(60)


def production(**env: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANGKIEN_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return {
        **clean,
        "SANGKIEN_DEBUG": "0",
        "SANGKIEN_SECRET_KEY": GOOD_KEY,
        "SANGKIEN_ALLOWED_HOSTS": "sangkien.example.vn",
        "SANGKIEN_FROM_EMAIL": "sangkien@example.vn",
        "SANGKIEN_EMAIL_HOST": "smtp.example.vn",
        **env,
    }


def check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [str(SANGKIEN), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production(**env),
        capture_output=True,
        text=True,
    )


def production_settings(*names: str, **env: str) -> dict[str, object]:
    code = (
        "import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'sangkien.settings');"
        "from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=production(**env), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_a_production_environment():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SANGKIEN_DEBUG": "1"}, "sangkien.E001"),
        ({"SANGKIEN_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "E002"),
        ({"SANGKIEN_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "E002"),
        ({"SANGKIEN_ALLOWED_HOSTS": "sangkien.example.vn,*"}, "sangkien.E003"),
        ({"SANGKIEN_SECRET_KEY": DEV_SECRET_KEY}, "sangkien.E004"),
        ({"SANGKIEN_SECRET_KEY": "short"}, "sangkien.E004"),
        ({"SANGKIEN_FROM_EMAIL": "sangkien@localhost"}, "sangkien.E005"),
        ({"SANGKIEN_SECURE_COOKIES": "0"}, "security.W012"),
        ({"SANGKIEN_HSTS_PRELOAD": "1"}, ""),  # preloading on: nothing to warn about
    ],
)
def test_check_deploy_refuses_an_unsafe_configuration(env, expected):
    result = check_deploy(**env)
    if not expected:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1, result.stdout
    assert expected in result.stderr


def test_the_check_names_the_variable_to_set(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECRET_KEY = DEV_SECRET_KEY
    settings.DEFAULT_FROM_EMAIL = "sangkien@localhost"
    errors = {e.id: e for e in check_production_settings()}
    assert set(errors) == {"sangkien.E002", "sangkien.E003", "sangkien.E004", "sangkien.E005"}
    assert "SANGKIEN_EMAIL_HOST" in errors["sangkien.E002"].hint
    assert "SANGKIEN_ALLOWED_HOSTS" in errors["sangkien.E003"].hint
    assert "SANGKIEN_SECRET_KEY" in errors["sangkien.E004"].hint
    settings.DEBUG = True
    assert "sangkien.E001" in {e.id for e in check_production_settings()}


def test_production_sends_email_through_smtp_and_protects_https():
    values = production_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        SANGKIEN_EMAIL_PORT="587",
        SANGKIEN_EMAIL_USER="sangkien",
        SANGKIEN_EMAIL_USE_TLS="1",
        SANGKIEN_PROXY_SSL_HEADER="1",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.vn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "sangkien",
        "EMAIL_USE_TLS": True,
        "SECURE_HSTS_SECONDS": 365 * 86400,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_debug_mode_prints_emails_to_the_console():
    values = production_settings("EMAIL_BACKEND", "SECURE_HSTS_SECONDS", SANGKIEN_DEBUG="1")
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "SECURE_HSTS_SECONDS": 0,
    }


def test_turning_hsts_or_the_redirect_off_silences_exactly_that_warning():
    hsts_off = production_settings(
        "SECURE_HSTS_SECONDS", "SILENCED_SYSTEM_CHECKS", SANGKIEN_HSTS_SECONDS="0"
    )
    assert hsts_off["SECURE_HSTS_SECONDS"] == 0
    assert "security.W004" in hsts_off["SILENCED_SYSTEM_CHECKS"]
    assert "security.W008" not in hsts_off["SILENCED_SYSTEM_CHECKS"]
    assert check_deploy(SANGKIEN_HSTS_SECONDS="0").returncode == 0
    redirect_off = production_settings("SILENCED_SYSTEM_CHECKS", SANGKIEN_SSL_REDIRECT="0")
    assert "security.W008" in redirect_off["SILENCED_SYSTEM_CHECKS"]
    assert "security.W004" not in redirect_off["SILENCED_SYSTEM_CHECKS"]
    assert production_settings("SILENCED_SYSTEM_CHECKS")["SILENCED_SYSTEM_CHECKS"] == [
        "security.W021"
    ]
