"""Run the benchmarks: ``python -m bench [name ...]``. Each scenario module has ``main() -> None`` that
prints its figures; the database (PostgreSQL from scripts/with-postgres, else a temporary SQLite file)
is migrated first and is empty when the first scenario starts."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time

SCENARIOS = [
    "deadlines",
    "catalogue_search",
    "http_dossiers",
    "signatures",
    "gateway",  # issue 13: messages/s through the LGSP, signed, logged, stamped in batches
    "dvcqg",  # issue 13: the national-portal outbox drain rate
    "identity",  # issue 14: personal-data access logging on a staff page
    "who_used",  # session 7: the citizen's "who used my data" page over a 10,000-row record
    "operations",  # issue 15: memory of the running province under load
    "digitization",  # issue 16: OCR pages/s beside plain ocrmypdf, search over 100,000 documents
    "payments",  # issue 17: IPN notifications/s, reconciling 100,000 payments
    "ioc",  # issue 18: dashboard, index and export over generated facts
    "scale",  # issue 15: submissions/s through HAProxy, one web node against two (its own servers)
]


def main() -> None:
    if not os.environ.get("MOTCUA_DATABASE_URL"):
        os.environ["MOTCUA_VAR_DIR"] = tempfile.mkdtemp(prefix="motcua-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings_bench")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    wanted = sys.argv[1:] or SCENARIOS
    print(f"# Một Cửa benchmarks — database: {connection.vendor}, python {sys.version.split()[0]}")
    for name in wanted:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n## {name}")
        started = time.perf_counter()
        module.main()
        print(f"(scenario took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
