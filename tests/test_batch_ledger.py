"""The batch's ledger: the list of a review's reports lives in the store, not in the parent's memory.

The parent makes an ``Item`` per report only while a pass over the ledger's rows reaches it;
these tests shrink the pass's chunk and count the objects alive while the outputs are written.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sqlite3
from pathlib import Path

import pytest
from test_batch import make_region, plant_carry_over

from checker.batch import dashboard, ledger, letters, run_batch, sheets
from checker.batch.outputs import Item

OFFICES = ("教育局", "财政局", "民政局", "司法局")
AGENCIES = tuple(f"{county}{office}" for county in ("青河县", "白水县") for office in OFFICES)


def _alive() -> int:
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Item))


def test_the_parent_holds_a_few_reports_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    planted = plant_carry_over("青河县教育局", 2022)
    make_region(tmp_path / "in", agencies=AGENCIES, years=(2021, 2022, 2023), tweak=planted)
    (tmp_path / "in" / "copy.md").write_bytes(next((tmp_path / "in").glob("*.md")).read_bytes())  # an X105 copy
    monkeypatch.setattr(ledger, "CHUNK", 3)
    monkeypatch.setattr(dashboard, "WORST", 2)
    seen: list[int] = []

    def counting(module: object, name: str) -> None:
        real = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            seen.append(_alive())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(dashboard, "report_page")  # each report's page
    counting(sheets, "table_row")  # 表格数据 and tables.csv
    counting(letters, "letter_context")  # each agency's notice
    counting(dashboard, "share_chart")  # the dashboard, after its pass over every report
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2, letters=True)
    assert result.files == 25 and result.duplicates == 1 and result.errors > 0
    assert len(seen) == 25 + 25 + len(AGENCIES) + 1
    # a chunk of rows, the dashboard's WORST kept ×4, one agency's three years: never every report
    assert max(seen) <= 3 + 4 * 2 + 3 < result.files
    assert len(result.items) == 25  # read back from the store after the run
    assert sum(1 for i in result.items if i.duplicate_of) == 1


def test_tasks_are_handed_out_once_each_from_the_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_region(tmp_path / "in", agencies=AGENCIES[:4], years=(2021, 2022))
    monkeypatch.setattr(ledger, "CHUNK", 2)
    from checker.batch import runner

    real = runner._Queue.popleft
    given: list[str] = []

    def popleft(self: runner._Queue) -> tuple[int, runner.Task]:
        number, task = real(self)
        given.append(task.path)
        return number, task

    monkeypatch.setattr(runner._Queue, "popleft", popleft)
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert result.checked == 8 and sorted(given) == given and len(set(given)) == 8  # each once, in path order


def test_a_review_written_by_an_earlier_xxgk_is_not_rendered_again(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=AGENCIES[:2], years=(2021, 2022))
    first = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert first.rendered == 4
    manifest = tmp_path / "out" / ".xxgk-render.json"
    head, *pages = manifest.read_text(encoding="utf-8").splitlines()
    assert len(pages) == 4 and all(json.loads(line)[0].startswith("reports/") for line in pages)
    # the manifest of an earlier xxgk: one JSON object holding every page's key
    old = json.loads(head) | {"pages": dict(json.loads(line) for line in pages)}
    manifest.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    again = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert again.rendered == 0 and again.cached == 4
    assert len(manifest.read_text(encoding="utf-8").splitlines()) == 5  # written again a line per page
    # a page whose key is not the manifest's is rendered again
    lines = manifest.read_text(encoding="utf-8").splitlines()
    page, _key = json.loads(lines[1])
    lines[1] = json.dumps([page, "0" * 24], ensure_ascii=False)
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2).rendered == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_the_same_file_reached_twice_is_read_once(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=AGENCIES[:1], years=(2021, 2022))
    target = next((tmp_path / "in").iterdir())
    try:
        (tmp_path / "link").symlink_to(tmp_path / "in", target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links not allowed here")
    result = run_batch([str(tmp_path / "in"), str(target), str(tmp_path / "link")], tmp_path / "out", jobs=1)
    assert result.files == 2 and result.duplicates == 0


@pytest.mark.parametrize("order", sorted(ledger.ORDERS))
def test_rows_are_paged_in_order_without_loss(order: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ties in the first sort keys across chunk boundaries: every row once, in the order's order."""
    monkeypatch.setattr(ledger, "CHUNK", 2)
    db = sqlite3.connect(":memory:")
    book = ledger.Ledger(db, Path("review"), {})
    rng = random.Random(5)
    for n in range(23):
        agency = rng.choice(["甲局", "乙局", None])
        year = rng.choice([2021, 2022, None])
        book.add_file(f"in/{n:02d}.md", f"/in/{n:02d}.md", f"{n:064x}", "md")
        book.answer({"path": f"in/{n:02d}.md", "sha256": None, "agency": agency, "year": year, "readable": True}, False)
    keys = ", ".join(ledger.ORDERS[order])
    expected = [p for (p,) in db.execute(f"SELECT path FROM review WHERE out = ? ORDER BY {keys}", (book.out,))]
    assert [p for (p,) in book.rows("path", order)] == expected and len(expected) == 23
