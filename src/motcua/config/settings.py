"""Base settings. Every deployment-specific value is read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua.core.env import env_bool, env_float, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(env_str("MOTCUA_VAR_DIR", str(REPO_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEMO_SECRET_KEY = "motcua-demo-secret-key-change-me-in-production-0123456789"  # noqa: S105
DEBUG = env_bool("MOTCUA_DEBUG", False)
PRODUCTION = env_bool("MOTCUA_PRODUCTION", False)
SECRET_KEY = env_str("MOTCUA_SECRET_KEY", DEMO_SECRET_KEY)
if PRODUCTION and SECRET_KEY == DEMO_SECRET_KEY:
    # A production instance with the published demo key would let anyone forge sessions.
    raise ImproperlyConfigured("MOTCUA_SECRET_KEY must be set when MOTCUA_PRODUCTION=1")

ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("MOTCUA_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "ninja",
    "motcua.core",
    "motcua.agencies",
    "motcua.accounts",
    "motcua.calendar",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.notifications",
    "motcua.signatures",
    "motcua.gateway",
    "motcua.identity",
    "motcua.national",
    "motcua.payments",
    "motcua.digitization",
    "motcua.dvcqg",
    "motcua.operations",
    "motcua.ioc",
    "motcua.portal",
]

MIDDLEWARE = [
    # Before everything: the request id every log line carries, then the request counters and timings.
    "motcua.core.requestid.RequestIdMiddleware",
    "motcua.operations.metrics.MetricsMiddleware",
    # First: outages answered 503/507 (also when an inner middleware meets them), oversized bodies 413.
    "motcua.core.middleware.OutageMiddleware",
    "motcua.core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.accounts.middleware.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "motcua.config.urls"
WSGI_APPLICATION = "motcua.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database: SQLite (WAL) by default, PostgreSQL when MOTCUA_DATABASE_URL is set -------------------
DATABASE_URL = env_str("MOTCUA_DATABASE_URL", "")
CONN_MAX_AGE = env_int("MOTCUA_CONN_MAX_AGE", 60)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
    _postgres = DATABASES["default"]["ENGINE"].endswith("postgresql")
    # Behind a pooler in transaction mode (PgBouncer, docs/scaling.md) two transactions of one client may
    # run on two server connections: nothing may outlive a transaction — no prepared statements (below)
    # and no server-side cursors (Django's .iterator() keeps one open WITH HOLD between transactions).
    _transaction_pooler = env_bool("MOTCUA_DB_TRANSACTION_POOLER", False)
    if _transaction_pooler:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    if _postgres and env_bool("MOTCUA_DB_PREPARED_STATEMENTS", not _transaction_pooler):
        # Server-side binding lets PostgreSQL keep the plans of statements a connection repeats (prepared
        # after 2 uses): the hot paths run the same few statements all day. Turn off behind a pooler in
        # transaction mode (PgBouncer < 1.21), which cannot follow prepared statements across connections.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 2}
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "motcua.sqlite3"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers never deadlock on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
# Administrators can require two-factor login for every staff member of the province.
MOTCUA_REQUIRE_STAFF_2FA = env_bool("MOTCUA_REQUIRE_STAFF_2FA", False)
OTP_TOTP_ISSUER = env_str("MOTCUA_OTP_ISSUER", "Một Cửa")
# VNeID (national e-identity) OpenID Connect provider: its issuer URL (the local simulator by default,
# `motcua sim-vneid serve`), our client registration, and the lowest identification level accepted.
MOTCUA_VNEID_URL = env_str("MOTCUA_VNEID_URL", "http://127.0.0.1:8716")
MOTCUA_VNEID_CLIENT_ID = env_str("MOTCUA_VNEID_CLIENT_ID", "motcua-portal")
DEMO_VNEID_CLIENT_KEY = "motcua-demo-vneid-secret"
MOTCUA_VNEID_CLIENT_SECRET = env_str("MOTCUA_VNEID_CLIENT_SECRET") or DEMO_VNEID_CLIENT_KEY
MOTCUA_VNEID_MIN_LEVEL = env_int("MOTCUA_VNEID_MIN_LEVEL", 2)
# The ID token's claim names per field, each a list tried in order (the first claim present wins). The
# defaults are an ASSUMPTION — the VNeID relying-party guide is not public (docs/identity-and-data.md): a
# province sets MOTCUA_VNEID_CLAIM_<FIELD>="name1,name2" from its integration guide, no code change. The
# simulator (`motcua sim-vneid`) issues the first name of each list too.
MOTCUA_VNEID_CLAIMS = {
    "subject": env_list("MOTCUA_VNEID_CLAIM_SUBJECT", ["sub"]),
    "id_number": env_list("MOTCUA_VNEID_CLAIM_ID_NUMBER", ["so_dinh_danh"]),
    "full_name": env_list("MOTCUA_VNEID_CLAIM_FULL_NAME", ["ho_va_ten", "name"]),
    "birth_date": env_list("MOTCUA_VNEID_CLAIM_BIRTH_DATE", ["ngay_sinh", "birthdate"]),
    "level": env_list("MOTCUA_VNEID_CLAIM_LEVEL", ["muc_do_dinh_danh", "acr"]),
}

# --- Internationalisation: Vietnamese first, English available ------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MOTCUA_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Django's, except that a write that fails part-way (full disk) removes its partial file.
    "default": {"BACKEND": "motcua.core.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Seconds a process may reuse the procedure version a submission needs (0 turns the cache off).
MOTCUA_CATALOGUE_CACHE_SECONDS = env_int("MOTCUA_CATALOGUE_CACHE_SECONDS", 30)
# National codes of procedures provided centrally: their dossier codes take the settling agency's e-ID and
# the "AA" marker (Circular 03/2025/TT-VPCP art. 13(3); docs/deadlines.md "Dossier codes").
MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES = env_list("MOTCUA_DOSSIER_CODE_CENTRAL_PROCEDURES", [])
# How long a process trusts an API token it verified (revocation reaches every process within this).
MOTCUA_API_TOKEN_CACHE_SECONDS = env_int("MOTCUA_API_TOKEN_CACHE_SECONDS", 10)

# Personal data (Law 91/2025/QH15, Decree 356/2025): the access log is kept apart from the dossiers, for
# this many days (default five years), then purged by the daily `motcua access_log_purge` job.
MOTCUA_ACCESS_LOG_RETENTION_DAYS = env_int("MOTCUA_ACCESS_LOG_RETENTION_DAYS", 5 * 365 + 1)
# Fernet key(s) for uploads of identity documents (sensitive data), comma-separated: the first encrypts,
# all decrypt (rotation). The demo key is published, so production refuses to encrypt with it.
DEMO_SENSITIVE_FILES_KEY = "bW90Y3VhLWRlbW8tc2Vuc2l0aXZlLWZpbGVzLWtleSE="
MOTCUA_SENSITIVE_FILES_KEY = env_str("MOTCUA_SENSITIVE_FILES_KEY") or DEMO_SENSITIVE_FILES_KEY
if PRODUCTION and MOTCUA_SENSITIVE_FILES_KEY.split(",")[0].strip() == DEMO_SENSITIVE_FILES_KEY:
    raise ImproperlyConfigured("MOTCUA_SENSITIVE_FILES_KEY must be set when MOTCUA_PRODUCTION=1")

# Demo PKI (motcua pki demo); its roots and CRLs are trusted while the managed trust list (admin) is empty.
MOTCUA_PKI_DIR = env_str("MOTCUA_PKI_DIR", str(VAR_DIR / "pki"))
# Sign result documents when they are issued (leader + agency). Off only where no certificates exist yet.
MOTCUA_SIGN_RESULTS = env_bool("MOTCUA_SIGN_RESULTS", True)
# RFC 3161 time-stamp authority (a licensed TSA in production; `make run` starts `motcua tsa serve`).
# Empty: an in-process stand-in signs time-stamps with the demo TSA key (tests, benchmarks).
MOTCUA_TSA_URL = env_str("MOTCUA_TSA_URL", "")
# The national systems (population, business registration, public post) are reached through the gateway
# (MOTCUA_GATEWAY_URL): how long one exchange may take before the clerk is told the system is unavailable,
# and the base URL the postal service pushes tracking to (default the site's URL).
MOTCUA_NATIONAL_TIMEOUT_SECONDS = env_int("MOTCUA_NATIONAL_TIMEOUT_SECONDS", 5)
# Off: no look-ups at intake, and postal orders wait in the outbox (tests, an installation without LGSP).
MOTCUA_NATIONAL_SYSTEMS = env_bool("MOTCUA_NATIONAL_SYSTEMS", True)
MOTCUA_POST_CALLBACK_BASE = env_str("MOTCUA_POST_CALLBACK_BASE", "")

# Online payment (docs/payments.md): the platform's URL (`make run` starts `motcua sim-payment serve` on
# 8715), our terminal code and hash secret there (demo values outside production only), which adapter
# speaks to it, where the national index counts its payments, and how long an unpaid order stays open.
MOTCUA_PAYMENT_PROVIDER = env_str("MOTCUA_PAYMENT_PROVIDER", "vnpay")
MOTCUA_PAYMENT_URL = env_str("MOTCUA_PAYMENT_URL", "http://127.0.0.1:8715")
MOTCUA_PAYMENT_TMN_CODE = env_str("MOTCUA_PAYMENT_TMN_CODE", "" if PRODUCTION else "MOTCUA01")
MOTCUA_PAYMENT_HASH_SECRET = env_str(
    "MOTCUA_PAYMENT_HASH_SECRET", "" if PRODUCTION else "MOTCUADEMOHASHSECRETNOTFORPRODUCTION"
)
MOTCUA_PAYMENT_CHANNEL = env_str("MOTCUA_PAYMENT_CHANNEL", "online_national")
MOTCUA_PAYMENT_ORDER_MINUTES = env_int("MOTCUA_PAYMENT_ORDER_MINUTES", 15)
# E-receipts (Decree 123/2020 as amended): template symbol, series prefix, and the key that signs them.
MOTCUA_RECEIPT_TEMPLATE_SYMBOL = env_str("MOTCUA_RECEIPT_TEMPLATE_SYMBOL", "01BLP0-001")
MOTCUA_RECEIPT_SERIES_PREFIX = env_str("MOTCUA_RECEIPT_SERIES_PREFIX", "BL")
MOTCUA_RECEIPT_SIGNER = env_str("MOTCUA_RECEIPT_SIGNER", "binh")
# Fetch CRLs (refresh job, every 6 h) and OCSP/CRLs named in certificates while validating. Off by default:
# an offline or air-gapped installation, and the tests, must never reach the network; turn it on where the
# server may reach the CAs' publication points.
MOTCUA_REVOCATION_FETCHING = env_bool("MOTCUA_REVOCATION_FETCHING", False)
# The archive job adds a document time-stamp (PAdES B-LTA) when the newest one expires within this margin.
MOTCUA_ARCHIVE_MARGIN_DAYS = env_int("MOTCUA_ARCHIVE_MARGIN_DAYS", 365)
# Where the officials' signing keys live (docs/signing-providers.md): "software" = key files in
# MOTCUA_PKI_DIR (demo), "pkcs11" = a token or HSM, "csc" = a remote signing service (CSC API).
MOTCUA_SIGNER_PROVIDER = env_str("MOTCUA_SIGNER_PROVIDER", "software")
# PKCS#11: the vendor's module, the token, its user PIN; key and certificate are labelled with the username.
MOTCUA_PKCS11_MODULE = env_str("MOTCUA_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so")
MOTCUA_PKCS11_TOKEN_LABEL = env_str("MOTCUA_PKCS11_TOKEN_LABEL", "motcua")
MOTCUA_PKCS11_PIN = env_str("MOTCUA_PKCS11_PIN", "")
# CSC API: the service URL (the part before /csc/v1/), API version, and either an OAuth2 client
# (client-credentials grant) or a ready bearer token; the PIN when credentials need explicit authorisation.
MOTCUA_CSC_URL = env_str("MOTCUA_CSC_URL", "")
MOTCUA_CSC_API_VERSION = env_str("MOTCUA_CSC_API_VERSION", "v1")
MOTCUA_CSC_CLIENT_ID = env_str("MOTCUA_CSC_CLIENT_ID", "")
MOTCUA_CSC_CLIENT_SECRET = env_str("MOTCUA_CSC_CLIENT_SECRET", "")
MOTCUA_CSC_TOKEN = env_str("MOTCUA_CSC_TOKEN", "")
MOTCUA_CSC_PIN = env_str("MOTCUA_CSC_PIN", "")
MOTCUA_CSC_TIMEOUT_SECONDS = env_int("MOTCUA_CSC_TIMEOUT_SECONDS", 30)

# --- Data-sharing gateway (LGSP, motcua.gateway; docs/integration.md) ------------------------------
# Where our system reaches the gateway (`motcua gateway serve`, port MOTCUA_GATEWAY_PORT in scripts/run) and
# its client credentials there; the demo secret is seeded by `motcua gateway seed-demo`.
MOTCUA_GATEWAY_URL = env_str("MOTCUA_GATEWAY_URL", "http://127.0.0.1:8710")
MOTCUA_GATEWAY_CLIENT_ID = env_str("MOTCUA_GATEWAY_CLIENT_ID", "motcua")
DEMO_GATEWAY_CLIENT_SECRET = "motcua-demo-lgsp-client-secret"  # noqa: S105
# Never the demo secret in production: there, unset means "no gateway credentials" (calls get 401).
MOTCUA_GATEWAY_CLIENT_SECRET = env_str("MOTCUA_GATEWAY_CLIENT_SECRET") or (
    "" if PRODUCTION else DEMO_GATEWAY_CLIENT_SECRET
)
# The gateway's signing key and certificate (gateway.key.pem, gateway.crt.pem); empty: MOTCUA_PKI_DIR.
MOTCUA_GATEWAY_KEY_DIR = env_str("MOTCUA_GATEWAY_KEY_DIR", "")
# Seconds the gateway process keeps registry entries and access tokens before reading them again.
MOTCUA_GATEWAY_REGISTRY_CACHE_SECONDS = env_int("MOTCUA_GATEWAY_REGISTRY_CACHE_SECONDS", 5)
MOTCUA_GATEWAY_TOKEN_CACHE_SECONDS = env_int("MOTCUA_GATEWAY_TOKEN_CACHE_SECONDS", 10)
# Seconds between the serve process's runs of chaining + batch time-stamping and asynchronous deliveries.
MOTCUA_GATEWAY_STAMP_INTERVAL = env_int("MOTCUA_GATEWAY_STAMP_INTERVAL", 5)
# First retry of an asynchronous delivery after this many seconds, doubling up to an hour.
MOTCUA_GATEWAY_RETRY_BASE_SECONDS = env_int("MOTCUA_GATEWAY_RETRY_BASE_SECONDS", 2)
# The message fields that name whose personal data an exchange carries (ID numbers; dossier codes), for the
# citizen's "who used my data" (gateway/personal_data.py; empty = its defaults: C06 and DVCQG names).
MOTCUA_GATEWAY_SUBJECT_FIELDS = env_list("MOTCUA_GATEWAY_SUBJECT_FIELDS", [])
MOTCUA_GATEWAY_DOSSIER_FIELDS = env_list("MOTCUA_GATEWAY_DOSSIER_FIELDS", [])
# National Public Service Portal (DVCQG) sync (docs/dvcqg.md): reached through the gateway (LGSP) at
# MOTCUA_GATEWAY_URL, service "dvcqg"; MOTCUA_DVCQG_URL set = straight to that adapter URL instead.
MOTCUA_DVCQG_SYNC = env_bool("MOTCUA_DVCQG_SYNC", True)
MOTCUA_DVCQG_URL = env_str("MOTCUA_DVCQG_URL", "")
MOTCUA_DVCQG_USERNAME = env_str("MOTCUA_DVCQG_USERNAME", "motcua-h99")
MOTCUA_DVCQG_PASSWORD = env_str("MOTCUA_DVCQG_PASSWORD", "demo-dvcqg")
MOTCUA_DVCQG_DSTCODE = env_str("MOTCUA_DVCQG_DSTCODE", "DVCQG")
MOTCUA_DVCQG_AGENCY_CODE = env_str("MOTCUA_DVCQG_AGENCY_CODE", "000.00.00.H99")
MOTCUA_DVCQG_TIMEOUT_SECONDS = env_int("MOTCUA_DVCQG_TIMEOUT_SECONDS", 10)
# Addresses the gateway calls our incoming API (/api/v1/lgsp/...) from; others get IP_DISALLOWED.
MOTCUA_GATEWAY_INBOUND_ADDRESSES = env_list("MOTCUA_GATEWAY_INBOUND_ADDRESSES", ["127.0.0.1", "::1"])

# --- Background work -------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ocr"]}}

# --- Security: headers in every mode; in production (MOTCUA_PRODUCTION=1) secure cookies, HTTPS redirect,
# HSTS and a strict CSP are on unless a variable turns one off on purpose (review security F7). A blank
# variable means "the default of this mode", so .env.example leaves them blank.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("MOTCUA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("MOTCUA_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
# Behind a reverse proxy that terminates TLS, the redirect needs to know the original scheme; trust the
# proxy's X-Forwarded-Proto only when it sets (and strips from clients) that header.
if env_bool("MOTCUA_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP: dict[str, list[str] | bool] = {}
if env_bool("MOTCUA_CSP", True):
    SECURE_CSP = {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    if PRODUCTION:
        SECURE_CSP["upgrade-insecure-requests"] = True
# Production refuses to start with debug pages or cookies sent over plain HTTP, unless this is set on
# purpose (a test bench behind a private network, say).
if PRODUCTION and not env_bool("MOTCUA_ALLOW_INSECURE_PRODUCTION", False):
    if DEBUG:
        raise ImproperlyConfigured(
            "MOTCUA_DEBUG=1 is refused when MOTCUA_PRODUCTION=1 (set MOTCUA_ALLOW_INSECURE_PRODUCTION=1 "
            "to override on purpose)"
        )
    if not SESSION_COOKIE_SECURE:
        raise ImproperlyConfigured(
            "MOTCUA_SECURE_COOKIES=0 is refused when MOTCUA_PRODUCTION=1 (set "
            "MOTCUA_ALLOW_INSECURE_PRODUCTION=1 to override on purpose)"
        )
# The largest request body accepted (413 above it, from Content-Length, before it is read): a submission
# carries several files of up to 10 MB each.
MOTCUA_MAX_REQUEST_BYTES = env_int("MOTCUA_MAX_REQUEST_BYTES", 25 * 1024 * 1024)

# --- Resilience: background tasks ----------------------------------------------------------------------
# A task RUNNING longer than this is taken for the task of a killed worker and made READY again by the
# scheduler (django-tasks-db has no lease of its own). Must exceed the longest task (the archive job).
MOTCUA_TASK_LEASE_SECONDS = env_int("MOTCUA_TASK_LEASE_SECONDS", 30 * 60)
# Work that follows a commit (receipts, the IOC's facts, the national-portal sync) is done by a drain that
# reads what is left to do from the database. A commit wakes the drain with a task that starts this many
# seconds later; the commits of one process within that window share it (core/wake.py). 0: one task per
# commit, run at once (tests that drive the worker by hand).
MOTCUA_DRAIN_WAKE_SECONDS = env_float("MOTCUA_DRAIN_WAKE_SECONDS", 1.0)
# Digitisation (docs/digitization.md): a running OCR job whose page heartbeat is older than this lost its
# worker and is queued again by the scheduler; limits per job; OCR processes per job (0 = one per CPU).
MOTCUA_DIGITIZATION_LEASE_SECONDS = env_int("MOTCUA_DIGITIZATION_LEASE_SECONDS", 10 * 60)
MOTCUA_DIGITIZATION_MAX_PAGES = env_int("MOTCUA_DIGITIZATION_MAX_PAGES", 200)
MOTCUA_DIGITIZATION_MAX_BYTES = env_int("MOTCUA_DIGITIZATION_MAX_BYTES", 50 * 1024 * 1024)
MOTCUA_DIGITIZATION_JOBS = env_int("MOTCUA_DIGITIZATION_JOBS", 0)

# --- Mail (Django 6.1 MAILERS) -----------------------------------------------------------------------
EMAIL_BACKEND_PATH = env_str("MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
_smtp_options: dict[str, object] = {}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _smtp_options = {
        "host": env_str("MOTCUA_EMAIL_HOST", "localhost"),
        "port": env_int("MOTCUA_EMAIL_PORT", 25),
        "username": env_str("MOTCUA_EMAIL_HOST_USER", ""),
        "password": env_str("MOTCUA_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("MOTCUA_EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _smtp_options}}
DEFAULT_FROM_EMAIL = env_str("MOTCUA_DEFAULT_FROM_EMAIL", "motcua@localhost")
# SMS goes through a provider class (notifications/providers.py); the demo one writes to var/sms.log.
MOTCUA_SMS_PROVIDER = env_str("MOTCUA_SMS_PROVIDER", "motcua.notifications.providers.DemoSmsProvider")

# "json": one JSON object per line with the request id (motcua.core.jsonlog); "text" for a terminal.
MOTCUA_LOG_FORMAT = env_str("MOTCUA_LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "motcua.core.requestid.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "motcua.core.jsonlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": MOTCUA_LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
    # fontTools narrates every font subset pyHanko makes for a visible signature; pyHanko warns on each
    # B-LT signature that it will not fetch revocation data (we embed our own CRLs on purpose).
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "pyhanko.sign.signers.pdf_signer": {"level": "ERROR"},
    },
}

# --- Guessing, sessions and tokens (issue 11 points 5–6; docs/security.md) ---------------------------
# Kept in one block apart from the security headers above so that the two can change independently.
INSTALLED_APPS += ["axes", "django_otp.plugins.otp_static"]
# AxesMiddleware turns a locked-out login (ours and /admin/login/) into the lockout page; NoStore keeps
# pages of a logged-in person out of shared and browser caches.
MIDDLEWARE += ["axes.middleware.AxesMiddleware", "motcua.accounts.middleware.NoStoreMiddleware"]
# Axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Counters of the throttles live in Django's cache. A database table (created by `migrate`, see
# core/migrations) is shared by every granian worker and the task worker, on SQLite and PostgreSQL alike;
# a per-process cache would multiply every limit by the number of workers. MAX_ENTRIES is high because a
# culled counter is a forgotten failure.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "motcua_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("MOTCUA_CACHE_MAX_ENTRIES", 200_000)},
    }
}
# The IOC dashboard's figures are shared by monitors of one scope for this many seconds (0: always compute).
MOTCUA_IOC_DASHBOARD_SECONDS = env_int("MOTCUA_IOC_DASHBOARD_SECONDS", 30)
# How many proxies in front of the application append to X-Forwarded-For (0: use the peer address).
MOTCUA_TRUSTED_PROXY_COUNT = env_int("MOTCUA_TRUSTED_PROXY_COUNT", 0)
# Password login (django-axes): lock an account, and an address, after this many failures in a row; the
# lock lifts after the cool-off. Every failure is recorded (AccessFailureLog, AccessAttempt in the admin).
AXES_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("MOTCUA_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "motcua.core.throttle.client_ip_or_none"
AXES_LOCKOUT_CALLABLE = "motcua.accounts.views.login_locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Other guessable doors, "count/period" with period in s, m, h or d (motcua.core.throttle):
# failed public status look-ups per dossier code and per client address, uploads to the public
# verification, registrations per address, wrong passwords when signing per person.
MOTCUA_THROTTLE_LOOKUP_PER_CODE = env_str("MOTCUA_THROTTLE_LOOKUP_PER_CODE", "5/15m")
MOTCUA_THROTTLE_LOOKUP_PER_IP = env_str("MOTCUA_THROTTLE_LOOKUP_PER_IP", "30/15m")
MOTCUA_THROTTLE_VERIFY_PER_IP = env_str("MOTCUA_THROTTLE_VERIFY_PER_IP", "20/15m")
MOTCUA_THROTTLE_REGISTER_PER_IP = env_str("MOTCUA_THROTTLE_REGISTER_PER_IP", "10/1h")
MOTCUA_THROTTLE_SIGNING_PASSWORD = env_str("MOTCUA_THROTTLE_SIGNING_PASSWORD", "5/15m")
# A session ends after this many hours (browser restarts included); staff work in shifts, so 8 h.
SESSION_COOKIE_AGE = env_int("MOTCUA_SESSION_HOURS", 8) * 3600
# First TOTP enrolment asks for the password again unless it was typed within this many seconds.
MOTCUA_REAUTH_SECONDS = env_int("MOTCUA_REAUTH_SECONDS", 60)
# Longest life an owner may give an API token (days); 0 = tokens without an end date are allowed.
MOTCUA_API_TOKEN_MAX_DAYS = env_int("MOTCUA_API_TOKEN_MAX_DAYS", 365)

# --- Operations (issue 15; docs/operations.md) ------------------------------------------------------------
# /metrics: with a token, Prometheus sends "Authorization: Bearer <token>"; without one, only direct calls
# from this machine are answered.
MOTCUA_METRICS_TOKEN = env_str("MOTCUA_METRICS_TOKEN", "")
# /readyz fails when the oldest task ready to run has waited longer than this (0: never for the backlog).
MOTCUA_READYZ_TASK_MAX_AGE_SECONDS = env_int("MOTCUA_READYZ_TASK_MAX_AGE_SECONDS", 600)
# Folder of pg_dump and pg_restore for `motcua backup` (empty: found on PATH).
MOTCUA_PG_BIN = env_str("MOTCUA_PG_BIN", "")
# Probes come over plain HTTP from the machine itself or the load balancer: no redirect to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Files: the local disk (default) or S3-compatible object storage (docs/storage.md) ---------------------
MOTCUA_STORAGE = env_str("MOTCUA_STORAGE", "filesystem")
if MOTCUA_STORAGE == "s3":
    _s3_storage: dict[str, Any] = {
        "BACKEND": "motcua.core.storage_s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MOTCUA_S3_BUCKET", "motcua"),
            "endpoint_url": env_str("MOTCUA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MOTCUA_S3_REGION", "") or None,
            "access_key": env_str("MOTCUA_S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("MOTCUA_S3_SECRET_ACCESS_KEY", ""),
            # A folder inside the bucket (several installations may share one).
            "location": env_str("MOTCUA_S3_PREFIX", ""),
            # Write-once names: never overwrite, pick another name (core/storage_s3.py).
            "file_overwrite": False,
            # Private objects; downloads go through our permission-checked views, not bucket URLs.
            "default_acl": None,
            "querystring_auth": True,
            "addressing_style": env_str("MOTCUA_S3_ADDRESSING_STYLE", "path"),
        },
    }
    STORAGES["default"] = _s3_storage
elif MOTCUA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MOTCUA_STORAGE must be 'filesystem' or 's3'")

# A PostgreSQL streaming replica for aggregate statistics (core/dbrouter.py, docs/scaling.md).
MOTCUA_DATABASE_REPLICA_URL = env_str("MOTCUA_DATABASE_REPLICA_URL", "")
if MOTCUA_DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(MOTCUA_DATABASE_REPLICA_URL, conn_max_age=CONN_MAX_AGE)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["motcua.core.dbrouter.PrimaryReplicaRouter"]
