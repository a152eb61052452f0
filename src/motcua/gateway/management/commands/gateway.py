"""``motcua gateway …``: the data-sharing gateway (LGSP; docs/integration.md).

* ``serve [--host] [--port 8710] [--threads 8]`` — the gateway process (granian, WSGI, its own URLconf),
  with a thread that chains and time-stamps the log and runs asynchronous deliveries every
  ``MOTCUA_GATEWAY_STAMP_INTERVAL`` seconds;
* ``seed-demo`` — the demo registry, clients and grants, and the gateway key;
* ``stamp`` — chain and time-stamp the log now; ``deliver`` — run due asynchronous deliveries now;
* ``verify-chain`` — check the whole log (exit 1 on any problem);
* ``evidence export --message ID --output FILE [--client ID]`` / ``evidence verify FILE`` (offline);
* ``dead-letters [--replay ID]`` — list the dead-letter list, or put one message back on the queue;
* ``rotate-secret CLIENT_ID [--grace-hours 24]`` — a new client secret, printed once."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

logger = logging.getLogger(__name__)


def _periodic(interval: float, stop: threading.Event) -> None:
    from django.db import close_old_connections

    from motcua.gateway.services import deliveries_run, log_seal_and_stamp

    while not stop.wait(interval):
        try:
            deliveries_run()
            log_seal_and_stamp()
        except Exception:
            logger.exception("gateway: periodic run failed")
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "The data-sharing gateway (LGSP): serve, seed the demo registry, stamp and verify the log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve")
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8710)
        serve.add_argument("--workers", type=int, default=1)
        serve.add_argument("--threads", type=int, default=8)
        sub.add_parser("seed-demo")
        sub.add_parser("stamp")
        sub.add_parser("deliver")
        sub.add_parser("verify-chain")
        evidence = sub.add_parser("evidence")
        ev_sub = evidence.add_subparsers(dest="evidence_action", required=True)
        export = ev_sub.add_parser("export")
        export.add_argument("--message", required=True)
        export.add_argument("--client", default="")
        export.add_argument("--output", required=True)
        verify = ev_sub.add_parser("verify")
        verify.add_argument("file")
        dead = sub.add_parser("dead-letters")
        dead.add_argument("--replay", type=int, default=0, help="delivery id to put back on the queue")
        rotate = sub.add_parser("rotate-secret")
        rotate.add_argument("client_id")
        rotate.add_argument("--grace-hours", type=float, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "evidence" and options["evidence_action"] == "verify":
            self._evidence_verify(options["file"])
            return
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _serve(self, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        stop = threading.Event()
        thread = threading.Thread(
            target=_periodic, args=(float(settings.MOTCUA_GATEWAY_STAMP_INTERVAL), stop), daemon=True
        )
        thread.start()
        self.stdout.write(f"LGSP gateway on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        try:
            Granian(
                "motcua.gateway.wsgi:application",
                address=options["host"],
                port=options["port"],
                interface=Interfaces.WSGI,
                workers=options["workers"],
                blocking_threads=options["threads"],
                respawn_failed_workers=True,
                workers_kill_timeout=5,
                log_access=False,
            ).serve()
        finally:
            stop.set()

    def _seed_demo(self, **options: Any) -> None:
        from motcua.gateway.demo import seed_demo

        for line in seed_demo():
            self.stdout.write(line)

    def _stamp(self, **options: Any) -> None:
        from motcua.gateway.services import log_seal_and_stamp

        counts = log_seal_and_stamp()
        self.stdout.write(f"{counts['entries']} entries chained, {counts['stamped']} batch(es) time-stamped.")

    def _deliver(self, **options: Any) -> None:
        from motcua.gateway.services import deliveries_run

        self.stdout.write(json.dumps(deliveries_run()))

    def _verify_chain(self, **options: Any) -> None:
        from motcua.gateway.services import chain_verify

        result = chain_verify()
        for fact in result.facts:
            self.stdout.write(fact)
        for problem in result.problems:
            self.stderr.write("PROBLEM: " + problem)
        if not result.intact:
            sys.exit(1)
        self.stdout.write("Log intact.")

    def _evidence(self, **options: Any) -> None:
        from motcua.core.errors import ApplicationError
        from motcua.gateway.services import evidence_build

        try:
            data = evidence_build(message_id=options["message"], client_id=options["client"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        Path(options["output"]).write_text(
            json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        self.stdout.write(f"Evidence of message {options['message']} written to {options['output']}.")

    def _evidence_verify(self, file: str) -> None:
        from motcua.gateway.evidence import evidence_verify

        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        result = evidence_verify(data)
        for fact in result.facts:
            self.stdout.write(fact)
        for problem in result.problems:
            self.stderr.write("PROBLEM: " + problem)
        if not result.intact:
            sys.exit(1)
        self.stdout.write("Evidence intact.")

    def _dead_letters(self, **options: Any) -> None:
        from motcua.core.errors import ApplicationError
        from motcua.gateway.selectors import dead_letters
        from motcua.gateway.services import dead_letter_replay

        if options["replay"]:
            try:
                dead_letter_replay(delivery_id=options["replay"], operator="cli")
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"Delivery {options['replay']} queued again.")
            return
        for d in dead_letters():
            self.stdout.write(
                f"{d.pk}\t{d.log.service_code}\t{d.log.message_id}\t{d.attempts} attempts\t{d.last_error}"
            )

    def _rotate_secret(self, **options: Any) -> None:
        from motcua.gateway.models import Client
        from motcua.gateway.services import client_secret_rotate

        client = Client.objects.filter(client_id=options["client_id"]).first()
        if client is None:
            raise CommandError(f"No client {options['client_id']}.")
        secret = client_secret_rotate(client=client, grace=dt.timedelta(hours=options["grace_hours"]))
        self.stdout.write(secret)
