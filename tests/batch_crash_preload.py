"""Dask worker preload for the batch tests: a file named ``crash*`` kills the worker process that checks it
(a stand-in for a machine lost mid-run). Loaded with ``tests/batch_cluster.py --preload``."""

from __future__ import annotations

import os

from checker.batch import runner

# Dask may load a preload more than once in a worker: wrap the original function only
_check_file = getattr(runner, "_unpatched_check_file", runner.check_file)
runner._unpatched_check_file = _check_file  # type: ignore[attr-defined]


def check_file(
    read_path: str, path: str, sha256: str | None, extra_rules: tuple[str, ...] = (), ocr: str = "auto"
) -> dict:
    if os.path.basename(path).startswith("crash"):
        os._exit(3)
    return _check_file(read_path, path, sha256, extra_rules, ocr)


runner.check_file = check_file
