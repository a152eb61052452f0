"""WSGI entry of the gateway process (``motcua gateway serve`` hands it to granian)."""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
django.setup(set_prefix=False)

from motcua.gateway.handler import GatewayHandler  # noqa: E402  (after Django is set up)

application = GatewayHandler()
