"""Locate the data folders (rules/, grammars/, templates/) in a source checkout and in an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The wheel carries the folders inside the package; a checkout (or editable install) has them beside it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"xxgk data folder '{name}' not found next to {_PACKAGE}")


def resource_path(folder: str, name: str) -> Path:
    return data_dir(folder) / name
