"""The layer order of the house, written once: an app may import the apps before it in ``LAYERS`` and
never one after it, and there is no import circle between modules of different apps.

``core/tests/test_import_graph.py`` reads every module of ``src/motcua`` (module-level and function-level
imports alike) and fails on an import against this order; ``docs/architecture.md`` draws the same map.
A lower app that needs something from a higher one declares a port and lets the higher app fill it at
start-up (``core.access.agency_scope_provider_set``, ``dossiers.paperwork.paperwork_set``).

Test code (``<app>/tests``, ``motcua.testing``) is outside the layers: a test may wire any apps together.
"""

from __future__ import annotations

LAYERS: tuple[str, ...] = (
    "core",  # errors, clock, env, access helpers, statements: Django only
    "simulators",  # stand-ins for outside services: the standard library and pyHanko only
    "agencies",
    "accounts",
    "calendar",
    "catalog",
    "notifications",
    "dossiers",
    "signatures",
    "gateway",  # the data-sharing gateway (LGSP): registry, tokens, signed and time-stamped message log
    "identity",  # VNeID login, the personal data store, "who used my data"
    "national",  # the national population, business and postal systems, through the gateway (LGSP)
    "payments",  # fees as law, payment orders and their ledger, e-receipts, reconciliation (issue 17)
    "digitization",  # scans to searchable PDF/A (OCR), extracted fields, full-text search
    "dvcqg",  # the national public service portal: sync outbox, incoming dossiers, reconciliation
    "ioc",  # operations centre: facts, the national 766 index, dashboard, open data
    "operations",  # health probes, metrics, backups: reads every app below, none imports it
    "portal",  # the citizen-facing pages, and the commands that fill every app (demo, scheduler)
    "config",  # settings, URLs, the API object
)

# Outside the layers: code that exists only to test the others.
TEST_ONLY: tuple[str, ...] = ("testing",)
