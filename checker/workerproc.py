"""What every xxgk worker process shares (batch and serve): a worker that makes no noise and leads its own
process group, and a way to stop it together with whatever it started (LibreOffice and the like)."""

from __future__ import annotations

import os
import sys
from contextlib import suppress
from typing import Any


def quiet_worker() -> None:
    """Run first in a worker: Ctrl-C belongs to the parent (which stops its workers itself), the worker leads its
    own process group where the platform has them (so a timeout kills what it started too), and nothing it or a
    library prints reaches the parent's console."""
    import signal
    import warnings

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "setpgrp"):
        with suppress(OSError):
            os.setpgrp()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        with suppress(OSError):
            os.dup2(devnull, fd)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the worker
    warnings.simplefilter("ignore")


def kill_worker(proc: Any) -> None:
    """Stop a worker process now, with its process group on POSIX (Windows has none: the process alone)."""
    pid = proc.pid
    if pid and hasattr(os, "killpg"):
        import signal

        with suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    with suppress(Exception):
        proc.kill()
    proc.join(5)
