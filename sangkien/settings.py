"""Sáng kiến settings: one file, read from the environment (see the README's table)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("SANGKIEN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SANGKIEN_DEBUG", True)
SECRET_KEY = os.environ.get("SANGKIEN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("Set SANGKIEN_SECRET_KEY when SANGKIEN_DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret-sangkien"  # noqa: S105
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SANGKIEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SANGKIEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "sangkien.core",
    "sangkien.orgs",
    "sangkien.accounts",
    "sangkien.campaigns",
    "sangkien.initiatives",
    "sangkien.notifications",
    "sangkien.quotas",
    "sangkien.plans",
    "sangkien.teams",
    "sangkien.api",
    "sangkien.stats",
    "django_tasks",
    "django_tasks_db",
    "sangkien.jobs",
    "sangkien.imports",
    "sangkien.exports",
    "sangkien.reports",
    "sangkien.audit",
    "sangkien.seed",
    # Sign-in through external providers (decision 0018): installed always, used only when
    # a provider is configured (SOCIALACCOUNT_PROVIDERS below; none by default).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sangkien.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sangkien.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sangkien.core.middleware.PrivateCacheMiddleware",
    "sangkien.accounts.middleware.UserLanguageMiddleware",
    "sangkien.accounts.middleware.ForcePasswordChangeMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sangkien.core.middleware.BusyDatabaseMiddleware",
    "sangkien.core.middleware.ProductNotFoundMiddleware",
]

ROOT_URLCONF = "sangkien.urls"
WSGI_APPLICATION = "sangkien.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The layout's navigation: each app adds what it knows.
                "sangkien.accounts.context_processors.navigation",
                "sangkien.orgs.context_processors.navigation",
                "sangkien.initiatives.context_processors.navigation",
                "sangkien.teams.context_processors.navigation",
                "sangkien.notifications.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, or the embedded SQLite file under var/.
_default_sqlite = f"sqlite:///{VAR_DIR / 'sangkien.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at the start
        # of a transaction so two writers queue instead of failing half-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sangkien.accounts.backends.LoginBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Login attempts allowed per account (whatever the spelling of the identifier) and per
# address within the window (seconds); the address's limit is high so that one office behind
# a shared address is not locked out (accounts/throttle.py).
LOGIN_MAX_FAILURES = int(os.environ.get("SANGKIEN_LOGIN_MAX_FAILURES", "5"))
LOGIN_MAX_FAILURES_PER_ADDRESS = int(
    os.environ.get("SANGKIEN_LOGIN_MAX_FAILURES_PER_ADDRESS", "100")
)
LOGIN_FAILURE_WINDOW = int(os.environ.get("SANGKIEN_LOGIN_FAILURE_WINDOW", "900"))
# How many days a member's one-time sign-up code stays valid.
SANGKIEN_INVITATION_DAYS = int(os.environ.get("SANGKIEN_INVITATION_DAYS", "30"))
# Personal API tokens: how many days a new one lasts unless its owner asks for fewer, and the
# most an owner may ask for.
SANGKIEN_TOKEN_DAYS = int(os.environ.get("SANGKIEN_TOKEN_DAYS", "90"))
SANGKIEN_TOKEN_MAX_DAYS = int(os.environ.get("SANGKIEN_TOKEN_MAX_DAYS", "365"))
# Password reset links sent by email stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("SANGKIEN_PASSWORD_RESET_SECONDS", str(3 * 86400)))


def social_providers(env: dict[str, str]) -> dict[str, dict[str, object]]:
    """The external sign-in providers configured in the environment: Google and Facebook by
    client id and secret, and one OpenID Connect server (a federation's own) by its address."""
    providers: dict[str, dict[str, object]] = {}
    for name, prefix in (("google", "SANGKIEN_GOOGLE"), ("facebook", "SANGKIEN_FACEBOOK")):
        client_id = env.get(f"{prefix}_CLIENT_ID", "")
        if client_id:
            app = {"client_id": client_id, "secret": env.get(f"{prefix}_SECRET", "")}
            providers[name] = {"APPS": [app]}
    server = env.get("SANGKIEN_OIDC_URL", "")
    if server and env.get("SANGKIEN_OIDC_CLIENT_ID"):
        oidc_app: dict[str, object] = {
            "provider_id": env.get("SANGKIEN_OIDC_ID", "federation"),
            "name": env.get("SANGKIEN_OIDC_NAME", "OpenID Connect"),
            "client_id": env["SANGKIEN_OIDC_CLIENT_ID"],
            "secret": env.get("SANGKIEN_OIDC_SECRET", ""),
            "settings": {"server_url": server},
        }
        providers["openid_connect"] = {"APPS": [oidc_app], "OAUTH_PKCE_ENABLED": True}
    return providers


SOCIALACCOUNT_PROVIDERS = social_providers(dict(os.environ))
# A provider signs in the account that connected it (from My account, signed in with the
# password); it never makes an account (members get theirs with their union's sign-up code)
# and an email address alone never lets anyone in (ours are not verified).
SOCIALACCOUNT_ADAPTER = "sangkien.accounts.social.SocialAccountAdapter"
ACCOUNT_ADAPTER = "sangkien.accounts.social.AccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("SANGKIEN_TIME_ZONE", "Asia/Ho_Chi_Minh")
FORMAT_MODULE_PATH = ["sangkien.formats"]
LANGUAGE_COOKIE_NAME = "sangkien_language"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SANGKIEN_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", PROJECT_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("SANGKIEN_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "sangkien.core.static_storage.StaticStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Emails go to the console in debug mode and through SMTP otherwise (sangkien.core.checks
# refuses the console, memory or file backends when debug is off).
EMAIL_BACKEND = os.environ.get("SANGKIEN_EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("SANGKIEN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SANGKIEN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SANGKIEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SANGKIEN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SANGKIEN_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("SANGKIEN_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("SANGKIEN_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("SANGKIEN_FROM_EMAIL", "sangkien@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address people use to reach the site: links in emails and on printed QR posters. Unset,
# pages use the address of the request (sangkien.core.site) and emails the local server's
# address on SANGKIEN_PORT (which `make run PORT=...` sets).
SITE_URL = os.environ.get("SANGKIEN_SITE_URL", "").strip() or (
    f"http://127.0.0.1:{os.environ.get('SANGKIEN_PORT', '8000').strip() or '8000'}"
)
SITE_URL_FROM_REQUEST = not os.environ.get("SANGKIEN_SITE_URL", "").strip()

# Attachments to initiatives: at most this many files of at most this size each.
SANGKIEN_ATTACHMENT_MAX_BYTES = int(os.environ.get("SANGKIEN_ATTACHMENT_MAX_MB", "10")) << 20
SANGKIEN_ATTACHMENT_MAX_COUNT = int(os.environ.get("SANGKIEN_ATTACHMENT_MAX_COUNT", "10"))

# Background work (decision 0014): django-tasks with its database backend, run by
# `sangkien worker`. SANGKIEN_TASKS=immediate runs every task inside the request instead
# (tests, and a single-process setup without a worker).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("SANGKIEN_TASKS", "database") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# A running job's worker writes a heartbeat this often; a running job without one for
# SANGKIEN_JOB_STALE_SECONDS lost its worker and is started again (decision 0020).
SANGKIEN_JOB_HEARTBEAT_SECONDS = float(os.environ.get("SANGKIEN_JOB_HEARTBEAT_SECONDS", "5"))
SANGKIEN_JOB_STALE_SECONDS = float(os.environ.get("SANGKIEN_JOB_STALE_SECONDS", "45"))
# How often each worker looks for running jobs whose worker died.
SANGKIEN_JOB_REAP_SECONDS = float(os.environ.get("SANGKIEN_JOB_REAP_SECONDS", "5"))

# Security (docs/decisions/0023). Headers every response carries: SecurityMiddleware's
# (HSTS, nosniff, Referrer-Policy, COOP) and sangkien.core.middleware.SecurityHeadersMiddleware
# (Content-Security-Policy, Permissions-Policy). `sangkien check --deploy` (which
# `make serve` runs first) refuses an unsafe production configuration.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SANGKIEN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HSTS: a year by default in production; 0 turns it off (when a proxy in front sends it).
SECURE_HSTS_SECONDS = int(
    os.environ.get("SANGKIEN_HSTS_SECONDS", "0" if DEBUG else str(365 * 86400)) or "0"
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SANGKIEN_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SANGKIEN_HSTS_PRELOAD", False)
# Plain HTTP is redirected to HTTPS in production unless SANGKIEN_SSL_REDIRECT=0 (a proxy in
# front redirects); the health check answers over HTTP for load balancers.
SECURE_SSL_REDIRECT = env_bool("SANGKIEN_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a proxy that ends TLS: trust its X-Forwarded-Proto header (only then).
if env_bool("SANGKIEN_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Turning a protection off on purpose silences the deployment warning about it, and only
# that one: the owner of the site decided, the check has nothing more to say.
SILENCED_SYSTEM_CHECKS = [
    # Preloading HSTS is a commitment made by submitting the domain to the browsers' list.
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *(
        ["security.W004"]
        if "SANGKIEN_HSTS_SECONDS" in os.environ and not SECURE_HSTS_SECONDS
        else []
    ),
    *(
        ["security.W008"]
        if "SANGKIEN_SSL_REDIRECT" in os.environ and not SECURE_SSL_REDIRECT
        else []
    ),
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SANGKIEN_LOG_LEVEL", "WARNING")},
}

# Page size of long lists (members, initiatives); keyset-paginated.
PAGE_SIZE = 50
