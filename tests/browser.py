"""The system Chromium the browser tests drive (`.ci/run` installs it as root); the tests skip without it."""

from __future__ import annotations

import shutil

import pytest


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
