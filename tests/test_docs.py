"""The documents for people who clone the project: generated ones are current, links stay inside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "rules" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_generated_documents_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_docs.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_links_point_to_files_inside_the_repository() -> None:
    broken = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        assert "../shared" not in text, doc  # users who clone the project do not have the shared folder
        for target in _LINK.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue  # a web address
            path = (doc.parent / target).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []


def test_rule_catalog_lists_every_rule_file() -> None:
    catalog = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for path in (ROOT / "rules").glob("*.yaml"):
        assert f"(../rules/{path.name})" in catalog, path.name
