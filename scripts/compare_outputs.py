"""Show that a change keeps the checker's outputs byte-identical.

``python scripts/compare_outputs.py snapshot SNAPDIR`` runs ``xxgk check`` (JSON with tables, and text) and
``xxgk extract`` on every file in ``examples/`` and, when it is there, ``../shared/corpus``, and writes each
output to SNAPDIR. ``python scripts/compare_outputs.py compare SNAPDIR`` runs them again and lists every output
that differs (exit 1 when one does). ``--no-pdf`` leaves PDF files out (their reader changes often on its own).

The commands run in this process through Click's test runner: one import instead of one per file, the same
bytes as the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SUFFIXES = {".md", ".txt", ".html", ".htm", ".docx", ".doc", ".pdf", ".tsv", ".csv", ".xlsx", ".json"}
COMMANDS: dict[str, list[str]] = {
    "check.json": ["check", "--format", "json", "--with-tables"],
    "check.txt": ["check", "--format", "text"],
    "extract.json": ["extract", "--format", "json"],
}


def inputs(with_pdf: bool) -> list[Path]:
    roots = [ROOT / "examples"] + ([CORPUS] if CORPUS.is_dir() else [])
    files = sorted(p for r in roots for p in r.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    return [p for p in files if with_pdf or p.suffix.lower() != ".pdf"]


def outputs(with_pdf: bool) -> dict[str, bytes]:
    from click.testing import CliRunner

    from checker.cli import main

    runner = CliRunner()
    result: dict[str, bytes] = {}
    for path in inputs(with_pdf):
        shown = str(path.relative_to(ROOT.parent))
        for name, args in COMMANDS.items():
            run = runner.invoke(main, [*args, str(path)], catch_exceptions=True)
            text = run.stdout_bytes + f"\n[exit {run.exit_code}]\n".encode()
            if run.exception is not None and not isinstance(run.exception, SystemExit):
                text += repr(run.exception).encode()
            result[f"{shown}.{name}"] = text
    return result


def _file_name(key: str) -> str:
    # A flat, short, stable file name per output; the key itself is written in index.txt.
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def snapshot(folder: Path, with_pdf: bool) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for key, data in outputs(with_pdf).items():
        (folder / _file_name(key)).write_bytes(data)
        index.append(key)
    (folder / "index.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    print(f"{len(index)} outputs written to {folder}")
    return 0


def compare(folder: Path, with_pdf: bool) -> int:
    known = set((folder / "index.txt").read_text(encoding="utf-8").split())
    now = outputs(with_pdf)
    differ = [k for k, data in now.items() if k in known and (folder / _file_name(k)).read_bytes() != data]
    missing = sorted(known - set(now)) if with_pdf else []
    new = sorted(set(now) - known)
    for key in differ:
        print(f"DIFFERS {key}  ({folder / _file_name(key)})")
    for key in missing:
        print(f"MISSING {key}")
    for key in new:
        print(f"NEW     {key}")
    print(f"{len(now)} outputs compared: {len(differ)} differ, {len(missing)} missing, {len(new)} new")
    return 1 if differ or missing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["snapshot", "compare"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--no-pdf", action="store_true", help="leave PDF files out")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    run = snapshot if args.action == "snapshot" else compare
    return run(args.folder, not args.no_pdf)


if __name__ == "__main__":
    sys.exit(main())
