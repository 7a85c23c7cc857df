"""A per-file check whose worker is slow to start (importing this module takes 2 s, as a cold start on a busy
machine does): the per-file timeout must count from when the worker begins the file, not from when the file was
handed to a worker that was still starting."""

from __future__ import annotations

import time

from checker.batch.runner import check_file

time.sleep(2.0)


def check(read_path: str, path: str, sha256: str | None, extra: tuple[str, ...] = (), ocr: str = "auto") -> dict:
    return check_file(read_path, path, sha256, extra, ocr)
