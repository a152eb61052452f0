"""Base settings. Every deployment-specific value is read from the environment (see .env.example)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua.core.env import env_bool, env_int, env_list, env_str

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
    "motcua.portal",
]

MIDDLEWARE = [
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
    if _postgres and env_bool("MOTCUA_DB_PREPARED_STATEMENTS", True):
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
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Seconds a process may reuse the procedure version a submission needs (0 turns the cache off).
MOTCUA_CATALOGUE_CACHE_SECONDS = env_int("MOTCUA_CATALOGUE_CACHE_SECONDS", 30)
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

# --- Background work -------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ocr"]}}

# --- Security headers (kept on in every mode) ------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("MOTCUA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("MOTCUA_HSTS_SECONDS", 0)
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MOTCUA_LOG_LEVEL", "INFO")},
    # fontTools narrates every font subset pyHanko makes for a visible signature; pyHanko warns on each
    # B-LT signature that it will not fetch revocation data (we embed our own CRLs on purpose).
    "loggers": {
        "fontTools": {"level": "WARNING"},
        "pyhanko.sign.signers.pdf_signer": {"level": "ERROR"},
    },
}
