"""Waking a drain after a commit, without a task row per commit.

Some work follows a commit but need not be done in the request that committed: the e-receipt of a payment,
the IOC's fact row of a changed dossier, the national portal's copy of a timeline. Each is done by a
*drain*: a task that reads from the database what is left to do (paid orders without a receipt, stale
fact marks, unsent timeline events) and does it. The commit only has to make sure a drain runs after it.

One task per commit did that, at a price: at a few hundred payment notifications a second the task rows
(two per notification) were a quarter of the notification's CPU, and the worker then ran hundreds of
drains that found one row each (docs/benchmarks.md, IPN). Here a commit queues a drain that starts
``MOTCUA_DRAIN_WAKE_SECONDS`` later (``run_after``) and the process remembers when; a later commit of the
same process that comes while that drain has not yet started (with a margin for clocks) relies on it: a
drain that starts after a commit sees what the commit wrote. Under load a process thus queues about one
drain a second per kind, whatever the number of commits.

A process that dies between its commit and the wake leaves the work in the database: the scheduler runs
every drain on its loop too. Backends that run tasks at once (the tests' immediate backend) or a delay of 0
get one task per call, run now."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from django.conf import settings
from django.tasks import task_backends
from django.utils import timezone

# A queued drain is trusted to see a commit only while it is due to start at least this much later:
# room for the worker's clock and the worker's polling to differ slightly from ours.
MARGIN_SECONDS = 0.25

_lock = threading.Lock()
# Per task path: when (time.monotonic) the drain this process queued last is due to start.
_starts_at: dict[str, float] = {}


def drain_wake(task: Any) -> bool:
    """Make sure ``task`` (a drain taking no arguments) runs after the commit that just happened. Call it
    after the commit (``transaction.on_commit``). Returns whether a task was queued (False: a queued one
    that has not started will do). A failure to queue is raised: the caller decides whether to log it."""
    delay = float(settings.MOTCUA_DRAIN_WAKE_SECONDS)
    if delay <= 0 or not task_backends[task.backend].supports_defer:
        task.enqueue()
        return True
    path = task.module_path
    now = time.monotonic()
    with _lock:
        if _starts_at.get(path, 0.0) - now > MARGIN_SECONDS:
            return False
        _starts_at[path] = now + delay
    try:
        task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue()
    except BaseException:
        with _lock:  # not queued: the next commit must queue one
            if _starts_at.get(path) == now + delay:
                del _starts_at[path]
        raise
    return True


def drain_wake_forget() -> None:
    """Forget the queued drains (tests that switch backends or delete the task rows)."""
    with _lock:
        _starts_at.clear()
