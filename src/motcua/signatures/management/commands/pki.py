"""``motcua pki demo``: create the provincial test CA hierarchy, officials' certificates and a TSA
certificate under var/pki (keys never committed). Idempotent unless --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

DEMO_PEOPLE = {
    "dung": ("Hoàng Văn Dũng", "Sở Văn hóa, Thể thao và Du lịch"),
    "em": ("Sở Văn hóa, Thể thao và Du lịch tỉnh Minh Sơn", "Văn thư"),
    "lanhdao.xd": ("Trịnh Minh Quang", "Sở Xây dựng"),
    "vanthu.xd": ("Sở Xây dựng tỉnh Minh Sơn", "Văn thư"),
}


class Command(BaseCommand):
    help = "Create the demo PKI (root CA, issuing CA, TSA, signers) under var/pki."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo")
        demo.add_argument("--force", action="store_true", help="replace an existing demo PKI")

    def handle(self, *args: Any, **options: Any) -> None:
        from motcua.signatures.pki import pki_demo_build, pki_write

        directory = Path(settings.MOTCUA_PKI_DIR)
        if (directory / "root.crt.pem").exists() and not options["force"]:
            self.stdout.write(f"Demo PKI already in {directory} (use --force to replace it).")
            return
        pki_write(pki_demo_build(people=DEMO_PEOPLE), directory)
        self.stdout.write(
            f"Demo PKI written to {directory}: root, issuing CA, TSA and {len(DEMO_PEOPLE)} signers."
        )
