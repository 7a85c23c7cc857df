"""Folder walking: lock files, hidden files, pages xxgk wrote and excluded paths are never checked."""

from __future__ import annotations

from pathlib import Path

from checker.discover import iter_candidates, iter_report_files, written_by_xxgk


def _tree(root: Path) -> None:
    files = {
        "草稿.docx": b"PK\x03\x04",
        "~$草稿.docx": b"lock",
        ".~lock.草稿.docx#": b"lock",
        "~WRL0001.tmp": b"tmp",
        ".hidden.md": b"# x",
        "报告.md": b"# report",
        "notes.json": b"{}",
        "page.html": b'<!doctype html><html><head><meta name="generator" content="xxgk 0.1"></head></html>',
        "other.html": b"<!doctype html><html><head><title>t</title></head></html>",
        "old/2019.txt": b"x",
        ".git/config.txt": b"x",
        "node_modules/a.md": b"x",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_walk_skips_locks_hidden_tool_folders_and_own_pages(tmp_path: Path) -> None:
    _tree(tmp_path)
    names = [Path(p).relative_to(tmp_path).as_posix() for p in iter_report_files([str(tmp_path)])]
    assert names == ["other.html", "报告.md", "草稿.docx", "old/2019.txt"]


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    _tree(tmp_path)
    names = [Path(p).name for p in iter_report_files([str(tmp_path)], extend_exclude=["old", "*.html"])]
    assert names == ["报告.md", "草稿.docx"]
    # ``exclude`` replaces the default folder list: node_modules is walked again.
    names = [Path(p).relative_to(tmp_path).as_posix() for p in iter_report_files([str(tmp_path)], exclude=["old/*"])]
    assert "node_modules/a.md" in names and "old/2019.txt" not in names


def test_explicit_files_are_always_candidates(tmp_path: Path) -> None:
    _tree(tmp_path)
    lock = str(tmp_path / "~$草稿.docx")
    page = str(tmp_path / "page.html")
    found = list(iter_candidates([lock, page, str(tmp_path)]))
    assert found[0].path == lock and found[0].explicit
    assert found[1].path == page and found[1].explicit
    assert all(not c.explicit for c in found[2:])
    # A file reached twice is yielded once.
    assert [c.path for c in found].count(page) == 1


def test_generator_meta_is_recognised(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert written_by_xxgk(str(tmp_path / "page.html"))
    assert not written_by_xxgk(str(tmp_path / "other.html"))
    assert not written_by_xxgk(str(tmp_path / "报告.md"))


def test_page_images_are_read_when_named_never_when_a_folder_is_walked(tmp_path: Path) -> None:
    # A crawled page's folder: the report and its pictures (logo, photo, a scan's pages one file each).
    for name in ("报告.html", "logo.png", "photo.JPG", "scan-p1.tif", "scan-p2.tiff", "banner.jpeg"):
        (tmp_path / name).write_bytes(b"x")
    walked = [Path(p).name for p in iter_report_files([str(tmp_path)])]
    assert walked == ["报告.html"]
    named = str(tmp_path / "scan-p1.tif")
    assert [c.path for c in iter_candidates([named])] == [named]
    # pre-commit names every staged file and asks for the walk's skipping: a committed picture is not checked
    assert list(iter_candidates([str(tmp_path / "logo.png")], force_exclude=True)) == []
