"""Benchmark overlay: production-like settings (DEBUG off), throwaway files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from motcua.config.settings import *  # noqa: F403
from motcua.core.env import env_bool, env_str

DEBUG = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="motcua-bench-media-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A benchmark talks only to what it starts itself: the national systems default to unreachable (port 9,
# "discard") and the DVCQG sync to off, unless the scenario's environment names its own. Without this a
# benchmark run beside `make run` synchronised its dossiers into that running national-portal simulator
# (walk, session 6).
MOTCUA_GATEWAY_URL = env_str("MOTCUA_GATEWAY_URL", "http://127.0.0.1:9")
MOTCUA_VNEID_URL = env_str("MOTCUA_VNEID_URL", "http://127.0.0.1:9")
MOTCUA_PAYMENT_URL = env_str("MOTCUA_PAYMENT_URL", "http://127.0.0.1:9")
MOTCUA_DVCQG_SYNC = env_bool("MOTCUA_DVCQG_SYNC", False)
