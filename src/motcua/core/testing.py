"""Helpers for tests that need real concurrency (PostgreSQL): start N threads at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_concurrently(worker: Callable[[int], None], *, threads: int) -> list[BaseException]:
    """Run ``worker(index)`` in ``threads`` threads released together by a barrier; each thread closes
    its own database connections at the end. Returns the exceptions raised (empty when all went well)."""
    from django.db import connections

    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run(index: int) -> None:
        try:
            barrier.wait()
            worker(index)
        except BaseException as exc:  # reported to the test, which asserts on them
            errors.append(exc)
        finally:
            connections.close_all()

    started = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    return errors
