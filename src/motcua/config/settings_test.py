"""Test overlay: same settings, fast hashing, files in a temporary folder, tasks run in-process."""

from __future__ import annotations

import tempfile
from pathlib import Path

from motcua.config.settings import *  # noqa: F403
from motcua.config.settings import DATABASE_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="motcua-test-media-"))
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "ocr"]}
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
if not DATABASE_URL:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": ":memory:",
            "TEST": {"NAME": ":memory:"},
        }
    }
MOTCUA_CATALOGUE_CACHE_SECONDS = 0
MOTCUA_API_TOKEN_CACHE_SECONDS = 0
# Threads in tests (live server, concurrency test) must not keep connections open past their request,
# or PostgreSQL refuses to drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Most tests exercise the workflow; the signing tests turn this on with their own test PKI.
MOTCUA_SIGN_RESULTS = False
# Tests never reach the network: the in-process TSA, stored CRLs only (tests start local servers).
MOTCUA_TSA_URL = ""
MOTCUA_REVOCATION_FETCHING = False
# No national systems unless a test starts the gateway and the simulators (motcua.national tests).
MOTCUA_NATIONAL_SYSTEMS = False
# Throttle counters per process in tests (conftest.py clears them before each test); the shared database
# cache is exercised by tests that switch to it on purpose.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The DVCQG outbox is drained by the tests that exercise it (dvcqg/tests), not after every test commit.
MOTCUA_DVCQG_SYNC = False
# The gateway reads its registry and tokens afresh on every call in tests.
MOTCUA_GATEWAY_REGISTRY_CACHE_SECONDS = 0
MOTCUA_GATEWAY_TOKEN_CACHE_SECONDS = 0
# Services that no test started are unreachable (port 9, "discard"): a test that forgot to start its own
# must fail here, not quietly write into a `make run` on the same machine (walk, session 6: a test's
# dossier turned up in the running national-portal simulator and made the reconciliation page show a
# difference that was not there).
MOTCUA_GATEWAY_URL = "http://127.0.0.1:9"
MOTCUA_VNEID_URL = "http://127.0.0.1:9"
MOTCUA_PAYMENT_URL = "http://127.0.0.1:9"
