"""Process plumbing for the servers the supervisor runs (docs/architecture.md, "Processes")."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def exit_with_parent(*, process_name: str = "granian-worker") -> bool:
    """In a granian worker, have Linux kill this process when the granian master dies.

    Granian's workers do not notice a master killed with SIGKILL: they went on serving the port, and the
    master the supervisor started next bound it beside them (SO_REUSEPORT), so two generations of code
    answered at once (review reliability F10). Orphaned that way they ignore SIGTERM too (tried with granian
    2.8), hence SIGKILL: the requests they hold are lost with the master anyway. Returns True when the
    request was made."""
    if not sys.platform.startswith("linux") or multiprocessing.current_process().name != process_name:
        return False
    parent = multiprocessing.parent_process()
    if parent is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent.pid:  # the master died before the request was made
        os.kill(os.getpid(), signal.SIGKILL)
    return True
