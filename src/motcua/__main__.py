"""The ``motcua`` console command: Django's management commands plus our own."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    # Commands are spelled with hyphens on the command line (`motcua sim-payment serve`); Django's module
    # names cannot hold them (sim_payment.py).
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["motcua", *args])


if __name__ == "__main__":
    main()
