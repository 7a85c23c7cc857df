"""Which files a run looks at: folders are walked as ruff walks them.

Walking a folder skips what is never a report: hidden files and folders, the lock and temp files Word, WPS and
LibreOffice leave beside an open draft (``~$报告.docx``, ``.~lock.报告.docx#``, ``~WRL0001.tmp``), folders of
tools (``node_modules``, virtual environments), and the pages xxgk itself wrote (they carry
``<meta name="generator" content="xxgk …">``). ``exclude`` globs replace the default folder list and
``extend-exclude`` globs add to it; a glob matches a file or folder name or its path below the walked folder.

A file named explicitly is always yielded (``explicit=True``): the user asked about it, so it is answered even
when it is hidden, excluded or a page xxgk wrote.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePath

from .patterns import regex

# The generator meta tag of every HTML page xxgk writes; walking skips pages that carry it.
GENERATOR = "xxgk"

# Folders of tools, never of reports (ruff's defaults, trimmed to what a drafts folder may hold).
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "node_modules",
    "venv",
    "__pycache__",
    "site-packages",
    "__pypackages__",
)

# Office/WPS/LibreOffice lock and temp files: Word's owner file ``~$name``, LibreOffice's ``.~lock.name#``
# (hidden anyway), Word's autosave ``~WRL0001.tmp`` / ``~WRD0000.tmp``, WPS's ``~name.tmp``.
_LOCK_PATTERNS = ("~$*", ".~lock.*#", "~*.tmp")

_GENERATOR_RE = regex(rb"<meta\s+name\s*=\s*[\"']generator[\"']\s+content\s*=\s*[\"']xxgk\b", re.IGNORECASE)
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml")


@dataclass(frozen=True)
class Candidate:
    """A file to check; ``explicit`` when it was named on the command line rather than found by walking."""

    path: str
    explicit: bool


def is_lock_file(name: str) -> bool:
    """An editor's lock or temp file beside an open document, by its name."""
    return any(fnmatchcase(name, pattern) for pattern in _LOCK_PATTERNS)


def written_by_xxgk(path: str) -> bool:
    """An HTML page xxgk wrote (findings page, batch page): its head carries our generator meta tag."""
    if not path.lower().endswith(_HTML_EXTENSIONS) or not os.path.isfile(path):
        return False  # never opened unless a regular file: a FIFO named *.html would block the walk
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False  # an unreadable file is the reader's to report
    return _GENERATOR_RE.search(head) is not None


def _matches(globs: Iterable[str], name: str, rel: str) -> bool:
    for glob in globs:
        pattern = glob.replace("\\", "/").rstrip("/")
        if fnmatchcase(name, pattern) or fnmatchcase(rel, pattern) or fnmatchcase(rel, f"*/{pattern}"):
            return True
    return False


def iter_candidates(
    paths: Iterable[str],
    exclude: Iterable[str] | None = None,
    extend_exclude: Iterable[str] = (),
    force_exclude: bool = False,
    *,
    skip_folder: Callable[[str], bool] | None = None,
    onerror: Callable[[OSError], None] | None = None,
) -> Iterator[Candidate]:
    """Every file to check, in a stable order: explicit files as given, folders walked sorted by name.

    ``exclude=None`` means ``DEFAULT_EXCLUDE``. A file is yielded once even when two arguments reach it.
    ``force_exclude`` applies the walk's skipping to explicit files too (ruff's ``--force-exclude``): what
    pre-commit needs, as it names every staged file explicitly. ``skip_folder(path)`` may leave out more
    folders found while walking (``batch``: review folders); ``onerror`` hears of folders that cannot be read
    (``os.walk``'s callback; by default they are passed over)."""
    from .readers import is_walked_file

    globs = [*(DEFAULT_EXCLUDE if exclude is None else exclude), *extend_exclude]
    seen: set[str] = set()

    def once(path: str) -> bool:
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            return False
        seen.add(key)
        return True

    for path in paths:
        if not os.path.isdir(path):
            if force_exclude and _skipped(path, globs):
                continue
            if once(path):
                yield Candidate(path, explicit=True)
            continue
        for root, dirs, files in os.walk(path, onerror=onerror):
            rel_root = os.path.relpath(root, path)
            rel_root = "" if rel_root == os.curdir else PurePath(rel_root).as_posix() + "/"
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _matches(globs, d, rel_root + d))
            if skip_folder is not None:
                dirs[:] = [d for d in dirs if not skip_folder(os.path.join(root, d))]
            for name in sorted(files):
                if name.startswith(".") or is_lock_file(name) or _matches(globs, name, rel_root + name):
                    continue
                full = os.path.join(root, name)
                if not is_walked_file(full) or written_by_xxgk(full):
                    continue
                if once(full):
                    yield Candidate(full, explicit=False)


def _skipped(path: str, globs: list[str]) -> bool:
    """Whether walking would have left this file out (its name, any hidden folder above it, the globs)."""
    from .readers import is_walked_file

    pure = PurePath(path.replace("\\", "/"))
    name = pure.name
    if name.startswith(".") or is_lock_file(name) or not is_walked_file(path) or written_by_xxgk(path):
        return True
    parts = [p for p in pure.parts[:-1] if p not in ("", ".", "..", "/")]
    if any(p.startswith(".") for p in parts):
        return True
    rel = pure.as_posix().lstrip("./")
    return _matches(globs, name, rel) or any(_matches(globs, p, p) for p in parts)


def iter_report_files(
    paths: Iterable[str],
    exclude: Iterable[str] | None = None,
    extend_exclude: Iterable[str] = (),
    force_exclude: bool = False,
) -> Iterator[str]:
    """The paths of ``iter_candidates`` (for callers that treat walked and explicit files alike)."""
    for candidate in iter_candidates(paths, exclude, extend_exclude, force_exclude):
        yield candidate.path
