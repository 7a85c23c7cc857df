"""The CI plumbing files: the composite GitHub Action is parsed and its steps checked; the pre-commit hook is
run from this checkout with ``pre-commit try-repo`` (when pre-commit and git are installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_action_is_a_composite_that_installs_annotates_and_writes_sarif() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["name"] and action["description"]
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    runs = [step.get("run", "") for step in steps]
    assert all(step.get("shell") == "bash" for step in steps if "run" in step)  # composite steps need a shell
    install = next(r for r in runs if "pip install" in r)
    assert "$GITHUB_ACTION_PATH" in install
    sarif = next(r for r in runs if "--format sarif" in r)
    assert '--output "$XXGK_SARIF"' in sarif and "--fail-on never" in sarif
    assert any("\nxxgk check --format github" in "\n" + r for r in runs)
    # every input referenced is declared, and inputs reach the shell only through env (no injection)
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)", text))
    assert used <= set(action["inputs"]), used - set(action["inputs"])
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "xxgk")
    assert hook["entry"].startswith("xxgk check") and "--force-exclude" in hook["entry"]
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    for name in ("a.docx", "b.PDF", "c.html", "d.htm", "e.md", "f.txt"):
        assert pattern.search(name), name
    assert not pattern.search("setup.py") and not pattern.search("data.json")


def _pre_commit() -> list[str] | None:
    if shutil.which("git") is None:
        return None
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


@pytest.mark.skipif(_pre_commit() is None, reason="needs pre-commit and git")
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    repo = tmp_path / "drafts"
    repo.mkdir()
    shutil.copy(EXAMPLES / "2022-qinghe-county.md", repo / "2022-青河县.md")
    (repo / "README.md").write_text("# 草稿\n", encoding="utf-8")
    (repo / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", "."], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "drafts"], cwd=repo, check=True)
    import os

    # The test's own Python first on PATH: pre-commit builds the hook's environment with it.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PATH": path}
    command = [*_pre_commit(), "try-repo", str(ROOT), "xxgk", "--all-files"]  # type: ignore[misc]
    clean = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    assert "Passed" in clean.stdout
    shutil.copy(EXAMPLES / "faulty" / "2022-qinghe-education-draft.md", repo / "教育局草稿.md")
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    faulty = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert faulty.returncode == 1 and "A101" in faulty.stdout, faulty.stdout[-3000:]
