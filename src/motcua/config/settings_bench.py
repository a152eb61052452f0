"""Benchmark overlay: production-like settings (DEBUG off), throwaway files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from motcua.config.settings import *  # noqa: F403

DEBUG = False
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="motcua-bench-media-"))
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
