"""``motcua pki demo``: create the provincial test CA hierarchy, officials' certificates and a TSA
certificate under var/pki (keys never committed), and register the root and issuing CA with their CRLs in
the managed trust list. Idempotent unless --force.

``motcua pki softhsm``: copy the demo officials' keys and certificates into a SoftHSM2 token, to run with
MOTCUA_SIGNER_PROVIDER=pkcs11 locally (docs/signing-providers.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# Raised when the demo PKI's shape changes, so that `make run` rebuilds an older one by itself.
DEMO_PKI_VERSION = "2"  # 2: one-stop clerks sign receipts; the TSA hangs off the root

DEMO_PEOPLE = {
    # One-stop clerks sign the electronic receipt (form 01) when they receive a dossier.
    "binh": ("Trần Văn Bình", "Trung tâm Phục vụ hành chính công tỉnh Minh Sơn"),
    "tiepnhan.minhkhai": ("Lý Thị Hoa", "Trung tâm Phục vụ hành chính công phường Minh Khai"),
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
        softhsm = sub.add_parser("softhsm", help="import the demo officials' keys into a SoftHSM2 token")
        softhsm.add_argument("--module", default="", help="PKCS#11 module (default: MOTCUA_PKCS11_MODULE)")
        softhsm.add_argument("--token-label", default="", help="default: MOTCUA_PKCS11_TOKEN_LABEL")
        softhsm.add_argument("--pin", default="", help="user PIN (default: MOTCUA_PKCS11_PIN)")
        softhsm.add_argument("--so-pin", default="", help="security officer PIN for a new token (random)")
        softhsm.add_argument(
            "--conf-dir",
            default="",
            help="where to keep the SoftHSM2 config and tokens when SOFTHSM2_CONF is not set "
            "(default: $MOTCUA_VAR_DIR/softhsm)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "softhsm":
            self._softhsm(**options)
            return
        from motcua.signatures.pki import CRL_BASE, demo_crls_refresh_if_stale, pki_demo_build, pki_write
        from motcua.signatures.trust import trust_list_import_pki

        directory = Path(settings.MOTCUA_PKI_DIR)
        marker = directory / "demo-version"
        current = marker.exists() and marker.read_text().strip() == DEMO_PKI_VERSION
        if (directory / "root.crt.pem").exists() and not current and not options["force"]:
            # An older demo PKI (no clerks' certificates, the TSA under the issuing CA): rebuilt, since
            # demo keys carry no history worth keeping; documents it signed no longer chain to a root.
            self.stdout.write(
                f"Demo PKI in {directory} is older than version {DEMO_PKI_VERSION}: rebuilding it."
            )
            options["force"] = True
        if (directory / "root.crt.pem").exists() and not options["force"]:
            self.stdout.write(f"Demo PKI already in {directory} (use --force to replace it).")
            for name in demo_crls_refresh_if_stale(directory):
                self.stdout.write(f"Re-issued the demo CRL of {name} (it was about to expire).")
        else:
            pki_write(pki_demo_build(people=DEMO_PEOPLE), directory)
            marker.write_text(DEMO_PKI_VERSION + "\n")
            self.stdout.write(
                f"Demo PKI written to {directory}: root, issuing CA, TSA and {len(DEMO_PEOPLE)} signers."
            )
        # The demo root and issuing CA go into the managed trust list (idempotent), with their CRLs.
        result = trust_list_import_pki(directory=directory, crl_base=CRL_BASE)
        self.stdout.write(
            "Trust list: {added} certificate(s) added, {crls} CRL(s) imported, {disabled} older demo "
            "certificate(s) disabled.".format(**result)
        )

    def _softhsm(self, **options: Any) -> None:
        import os
        import secrets

        from django.core.management.base import CommandError

        from motcua.signatures.providers.pkcs11 import pkcs11_objects_import, pkcs11_sessions_close
        from motcua.signatures.providers.softhsm import (
            softhsm_config_write,
            softhsm_module_path,
            softhsm_token_init,
        )
        from motcua.signatures.signing import PkiFiles, SigningError

        pki = PkiFiles(Path(settings.MOTCUA_PKI_DIR))
        names = [n for n in DEMO_PEOPLE if pki.key_path(n).exists()]
        if not names:
            raise CommandError(f"No demo PKI in {pki.directory}: run `motcua pki demo` first.")
        module = options["module"] or settings.MOTCUA_PKCS11_MODULE or softhsm_module_path() or ""
        if not Path(module).exists():
            raise CommandError(f"SoftHSM2 module not found ({module!r}): apt-get install softhsm2")
        label = options["token_label"] or settings.MOTCUA_PKCS11_TOKEN_LABEL
        pin = options["pin"] or settings.MOTCUA_PKCS11_PIN
        if not pin:
            raise CommandError("Give the token's user PIN: --pin or MOTCUA_PKCS11_PIN.")
        if not os.environ.get("SOFTHSM2_CONF"):
            # Never the system-wide store (root only, shared); a private one under var/.
            conf_dir = Path(options["conf_dir"] or Path(settings.VAR_DIR) / "softhsm")
            os.environ["SOFTHSM2_CONF"] = str(softhsm_config_write(conf_dir.resolve()))
        pkcs11_sessions_close(finalize=True)  # the library reads SOFTHSM2_CONF when it initialises

        import pkcs11

        try:
            exists = any(True for _ in pkcs11.lib(module).get_tokens(token_label=label))
            if not exists:
                so_pin = options["so_pin"] or secrets.token_hex(8)
                softhsm_token_init(label=label, pin=pin, so_pin=so_pin)
                pkcs11_sessions_close(finalize=True)  # to see the new token
                self.stdout.write(f"Token '{label}' created; security officer PIN: {so_pin} (keep it).")
            written = pkcs11_objects_import(module=module, token_label=label, pin=pin, pki=pki, names=names)
        except (SigningError, pkcs11.PKCS11Error) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            pkcs11_sessions_close()
        self.stdout.write(f"Imported into token '{label}': {', '.join(written)}.")
        self.stdout.write(
            "Run with:\n"
            f"  export SOFTHSM2_CONF={os.environ['SOFTHSM2_CONF']}\n"
            f"  export MOTCUA_SIGNER_PROVIDER=pkcs11 MOTCUA_PKCS11_MODULE={module} "
            f"MOTCUA_PKCS11_TOKEN_LABEL={label} MOTCUA_PKCS11_PIN=<the PIN>"
        )
