"""`xxgk batch`: cross-year rules on a generated region, resume after an interruption, --jobs, Dask, the CLI.

The reports are generated with the writers (checker.writers): consistent tables, chained from one year to the
next so that every X identity holds, and unique narrative so that X103 stays quiet unless a test plants a
copy. Each test then plants exactly the break it looks for.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker import layout
from checker.batch import BatchError, collect_files, run_batch
from checker.batch.command import batch
from checker.batch.runner import check_file
from checker.batch.store import Store
from checker.writers import ReportData, consistent_values, render

FORMATS = ("md", "html", "docx", "txt")
AGENCIES = ("青河县教育局", "青河县财政局", "白水县交通运输局")
# Characters for narrative that matches nothing in the template (no numbering, no template phrases).
_CHARS = (
    "的是在不了有和人这大为上个国我以要他时来用们生到作地于出就分对成会可主发动同工也能下过子说产种面而方后多定"
    "行学法所民得经之进着等部度家电力里如水化高自理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其"
)


def prose(rng: random.Random, n: int = 160) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(n)) + "。"


def chain(prev: dict | None, values: dict, edition: str) -> dict:
    """Make ``values`` continue ``prev`` (the same agency's previous year): every X identity holds."""
    if prev is None:
        return values
    for col in layout.APPLICANT_COLUMNS:
        values[("applications", "carried_over", col)] = prev[("applications", "carried_forward", col)]
        rebalance(values, col)
    if edition == "2021":
        for row in ("rules", "normative_docs"):
            base = ("active", "art20_1", row)
            before = prev[(*base, "in_force")]
            repealed = min(values[(*base, "repealed")], before)
            values[(*base, "repealed")] = repealed
            values[(*base, "in_force")] = before + values[(*base, "issued")] - repealed
    else:
        for block, (rows, cols) in layout.ACTIVE["2019"].items():
            if "prev_items" not in cols:
                continue
            for row in rows:
                base = ("active", block, row)
                items = prev[(*base, "prev_items")] + prev[(*base, "change")]
                values[(*base, "prev_items")] = items
                values[(*base, "change")] = max(values[(*base, "change")], -items)
    return values


def rebalance(values: dict, col: str) -> None:
    """本年新收 = 总计 + 结转下年度 − 上年结转 in ``col``, and the 总计 column of those rows."""
    total = values[("applications", "results.total", col)]
    received = total + values[("applications", "carried_forward", col)] - values[("applications", "carried_over", col)]
    if received < 0:
        values[("applications", "carried_forward", col)] -= received
        received = 0
    values[("applications", "received_new", col)] = received
    for row in ("received_new", "carried_over", "carried_forward"):
        values[("applications", row, "total")] = sum(values[("applications", row, c)] for c in layout.APPLICANT_COLUMNS)


def write(folder: Path, agency: str, year: int, values: dict, fmt: str, edition: str, texts: dict) -> Path:
    data = ReportData(edition, year, agency, values, paragraphs=texts)  # type: ignore[arg-type]
    path = folder / f"{year}-{agency}.{fmt}"
    path.write_bytes(render(data, fmt))
    return path


def make_region(
    folder: Path,
    seed: int = 7,
    agencies: tuple[str, ...] = AGENCIES,
    years: tuple[int, ...] = (2021, 2022),
    edition: str = "2021",
    tweak: Any = None,
) -> dict[tuple[str, int], dict]:
    """Reports of ``agencies`` × ``years`` in mixed formats; ``tweak(agency, year, values, texts)`` plants a
    break before a report is written. Returns the values of each report."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out: dict[tuple[str, int], dict] = {}
    n = 0
    for agency in agencies:
        prev = None
        for year in years:
            values = chain(prev, consistent_values(edition, rng, max_count=3), edition)
            texts = {"一": [prose(rng)], "五": [prose(rng)]}
            if tweak is not None:
                tweak(agency, year, values, texts)
            write(folder, agency, year, values, FORMATS[n % len(FORMATS)], edition, texts)
            out[(agency, year)] = values
            prev = values
            n += 1
    return out


def lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]


def by_path(out: Path) -> dict[str, dict]:
    return {obj["path"]: obj for obj in lines(out)}


def findings(out: Path, rule_prefix: str) -> list[tuple[str, dict]]:
    return [(o["path"], f) for o in lines(out) for f in o["findings"] if f["rule"].startswith(rule_prefix)]


# -- X101 ------------------------------------------------------------------------------------------------------


def plant_carry_over(agency: str, year: int, column: str = "research", delta: int = 2):
    def tweak(a: str, y: int, values: dict, texts: dict) -> None:
        if (a, y) == (agency, year):
            values[("applications", "carried_over", column)] += delta
            rebalance(values, column)

    return tweak


def test_planted_carry_over_break_is_found_on_its_cell(tmp_path: Path) -> None:
    values = make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    assert result.files == 6 and result.checked == 6
    # the generated region is clean: the planted break is the only finding (the X101 of two columns)
    everything = findings(tmp_path / "out", "")
    assert {f["rule"] for _, f in everything} == {"X101"}, everything
    x101 = findings(tmp_path / "out", "X101")
    assert {f["location"]["column"] for _, f in x101} == {"research", "total"}
    path, f = next((p, f) for p, f in x101 if f["location"]["column"] == "research")
    assert path.endswith("2022-青河县财政局" + Path(path).suffix)
    prev = values[("青河县财政局", 2021)][("applications", "carried_forward", "research")]
    now = values[("青河县财政局", 2022)][("applications", "carried_over", "research")]
    assert f["location"]["table"] == "applications" and f["location"]["row"] == "carried_over"
    assert f["expected"] == prev and f["actual"] == now == prev + 2
    assert f["severity"] == "error" and "2021" in f["message"] and str(prev) in f["message"]
    assert f["location"]["line"] or f["location"]["cell"]  # points into the document


def test_x104_and_x102_chains(tmp_path: Path) -> None:
    def break_in_force(a: str, y: int, values: dict, texts: dict) -> None:
        if (a, y) == ("白水县交通运输局", 2022):
            values[("active", "art20_1", "normative_docs", "in_force")] += 5

    make_region(tmp_path / "a", tweak=break_in_force)
    run_batch([str(tmp_path / "a")], tmp_path / "out-a", jobs=2)
    x104 = findings(tmp_path / "out-a", "X104")
    assert len(x104) == 1 and x104[0][1]["location"]["row"] == "normative_docs"
    assert x104[0][1]["actual"] - x104[0][1]["expected"] == 5

    def break_items(a: str, y: int, values: dict, texts: dict) -> None:
        if (a, y) == ("青河县教育局", 2020):
            values[("active", "art20_6", "penalty", "prev_items")] += 3

    make_region(tmp_path / "b", years=(2019, 2020), edition="2019", tweak=break_items)
    run_batch([str(tmp_path / "b")], tmp_path / "out-b", jobs=2)
    x102 = findings(tmp_path / "out-b", "X102")
    assert [f["location"]["block"] for _, f in x102] == ["art20_6"], x102
    assert x102[0][1]["actual"] - x102[0][1]["expected"] == 3
    assert findings(tmp_path / "out-b", "X1") == x102


def test_renamed_agency_joined_by_mapping_file(tmp_path: Path) -> None:
    def rename_and_break(a: str, y: int, values: dict, texts: dict) -> None:
        if (a, y) == ("白水县交通运输局", 2022):
            values[("applications", "carried_over", "natural_person")] += 1
            rebalance(values, "natural_person")

    make_region(tmp_path / "in", tweak=rename_and_break)
    old = tmp_path / "in" / next(p.name for p in (tmp_path / "in").iterdir() if "2021-白水县交通运输局" in p.name)
    # 2021's report has the old name: rewrite it under the old name with the same tables
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for p in (tmp_path / "in").iterdir():
        if p != old:
            (renamed / p.name).write_bytes(p.read_bytes())
    from checker.extract import extract_path

    report = extract_path(str(old))
    values = {path: cell.value.number for path, cell in report.cells.items()}
    write(renamed, "白水县交通局", 2021, values, "md", "2021", {"一": ["交通局" * 40], "五": ["改进" * 50]})

    run_batch([str(renamed)], tmp_path / "plain", jobs=2)
    assert findings(tmp_path / "plain", "X101") == []  # different names: not the same agency

    yaml_map = tmp_path / "map.yaml"
    yaml_map.write_text("白水县 交通局: 白水县交通运输局\n", encoding="utf-8")
    run_batch([str(renamed)], tmp_path / "mapped", jobs=2, agency_map=yaml_map)
    x101 = findings(tmp_path / "mapped", "X101")
    assert {f["location"]["column"] for _, f in x101} == {"natural_person", "total"}

    csv_map = tmp_path / "map.csv"
    csv_map.write_text("old,new\n白水縣交通局,白水县交通运输局\n", encoding="utf-8")  # traditional 縣 folds
    run_batch([str(renamed)], tmp_path / "mapped-csv", jobs=2, agency_map=csv_map)
    assert findings(tmp_path / "mapped-csv", "X101") == x101


def test_previous_year_from_the_store_of_an_earlier_batch(tmp_path: Path) -> None:
    make_region(tmp_path / "all", tweak=plant_carry_over("青河县教育局", 2022, "natural_person", 1))
    first, second = tmp_path / "y2021", tmp_path / "y2022"
    first.mkdir()
    second.mkdir()
    for p in (tmp_path / "all").iterdir():
        (first if p.name.startswith("2021") else second).joinpath(p.name).write_bytes(p.read_bytes())
    db = tmp_path / "region.db"
    run_batch([str(first)], tmp_path / "out-2021", jobs=2, db=db)
    run_batch([str(second)], tmp_path / "out-2022", jobs=2, db=db)
    x101 = findings(tmp_path / "out-2022", "X101")
    assert {f["location"]["column"] for _, f in x101} == {"natural_person", "total"}
    assert all(str(first) in f["message"] for _, f in x101)  # names last year's file
    # without the store of 2021 there is nothing to compare with
    run_batch([str(second)], tmp_path / "alone", jobs=2)
    assert findings(tmp_path / "alone", "X101") == []


# -- X103 ------------------------------------------------------------------------------------------------------


def test_duplicate_text_between_agencies_and_against_last_year(tmp_path: Path) -> None:
    shared = prose(random.Random(99), 300)
    written: dict[tuple[str, int], dict] = {}

    def copy(a: str, y: int, values: dict, texts: dict) -> None:
        if y == 2022 and a in ("青河县教育局", "白水县交通运输局"):
            texts["五"] = [shared]  # two agencies, one text
        written[(a, y)] = texts

    make_region(tmp_path / "in", tweak=copy)
    # 2023 of 青河县财政局 repeats its 2022 section 一 with new figures
    last_year = written[("青河县财政局", 2022)]["一"][0]
    values = consistent_values("2021", random.Random(3), max_count=3)
    texts = {"一": [last_year + "全年共办理2023件。"], "五": [prose(random.Random(4))]}
    write(tmp_path / "in", "青河县财政局", 2023, values, "md", "2021", texts)
    run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    x103 = findings(tmp_path / "out", "X103")
    between = sorted((Path(p).stem, f["location"]["section"]) for p, f in x103 if "本机关" not in f["message"])
    assert between == [("2022-白水县交通运输局", "五"), ("2022-青河县教育局", "五")]
    assert all("100%" in f["message"] for _, f in x103 if "本机关" not in f["message"])
    previous = [(Path(p).stem, f) for p, f in x103 if "本机关" in f["message"]]
    assert [(s, f["location"]["section"]) for s, f in previous] == [("2023-青河县财政局", "一")]
    assert "2022年报告" in previous[0][1]["message"] and "%" in previous[0][1]["message"]
    assert all(f["severity"] == "warning" for _, f in x103)


def test_similarity_is_jaccard_of_shingles() -> None:
    from checker.batch.cross import normalise_agency, similarity

    text = prose(random.Random(1), 400)
    assert similarity(text, text) == 1.0
    assert similarity(text, text.replace("的", "得")) < 1.0
    assert similarity(text + "2021年", text + "2022年") == 1.0  # figures do not count
    assert similarity(text, prose(random.Random(2), 400)) < 0.2
    assert normalise_agency("青河縣　教育局") == normalise_agency("青河县教育局") == "青河县教育局"


# -- resume, jobs, the store -----------------------------------------------------------------------------------


def test_interrupted_batch_resumes_to_the_same_result(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    inputs = [str(tmp_path / "in")]
    run_batch(inputs, tmp_path / "whole", jobs=2)
    reference = sorted(lines(tmp_path / "whole"), key=lambda o: o["path"])

    class Stop(KeyboardInterrupt):
        pass

    seen: list[str] = []

    def stop_after_three(task: Any, record: dict) -> None:
        seen.append(task.path)
        if len(seen) == 3:
            raise Stop

    out = tmp_path / "resumed"
    with pytest.raises(Stop):
        run_batch(inputs, out, jobs=2, on_result=stop_after_three)
    assert len(lines(out)) == 3  # what finished is on disk
    with Store(out / "xxgk.db") as store:
        assert store.count_results() == 3
        assert store.runs()[-1]["status"] == "interrupted"

    result = run_batch(inputs, out, jobs=2, on_result=lambda task, record: seen.append(task.path))
    assert result.cached == 3 and result.checked == 3
    assert len(seen) == 6 and len(set(seen)) == 6  # no finished file was checked again
    assert sorted(lines(out), key=lambda o: o["path"]) == reference
    assert (out / "findings.jsonl").read_text(encoding="utf-8") == (tmp_path / "whole" / "findings.jsonl").read_text(
        encoding="utf-8"
    )


def slow_check(read_path: str, path: str, sha256: str | None, extra: tuple[str, ...], ocr: str = "auto") -> dict:
    """For the tests: a slow worker (a stand-in for a slow machine), a stuck one, a dying one."""
    name = Path(path).name
    if "stuck" in name:
        time.sleep(600)
    if "crash" in name:
        os._exit(3)
    if os.environ.get("XXGK_TEST_SLOW"):
        time.sleep(float(os.environ["XXGK_TEST_SLOW"]))
    return check_file(read_path, path, sha256, extra, ocr)


def test_killed_batch_process_resumes(tmp_path: Path) -> None:
    """A real kill (SIGKILL of the whole batch process) half-way, then a rerun."""
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    inputs = [str(tmp_path / "in")]
    run_batch(inputs, tmp_path / "whole", jobs=2)
    out = tmp_path / "killed"
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from test_batch import slow_check; from checker.batch import run_batch;"
        "run_batch([sys.argv[2]], sys.argv[3], jobs=1, check=slow_check)"
    )
    env = dict(os.environ, XXGK_TEST_SLOW="0.4")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(Path(__file__).parent), inputs[0], str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    jsonl = out / "findings.partial.jsonl"  # the run's progress log: one line per file as it finishes
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if jsonl.exists() and len(jsonl.read_text(encoding="utf-8").splitlines()) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    done = len(jsonl.read_text(encoding="utf-8").splitlines())
    assert 2 <= done < 6, done
    with Store(out / "xxgk.db") as store:
        stored = store.count_results()
    assert stored >= 2
    result = run_batch(inputs, out, jobs=2)
    assert result.cached == stored and result.checked == 6 - stored
    final = (out / "findings.jsonl").read_text(encoding="utf-8")
    assert final == (tmp_path / "whole" / "findings.jsonl").read_text(encoding="utf-8")
    assert not jsonl.exists()  # the progress log goes once the review is written


def test_jobs_1_and_jobs_2_agree_and_a_rerun_checks_nothing(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("白水县交通运输局", 2022))
    inputs = [str(tmp_path / "in")]
    one = run_batch(inputs, tmp_path / "one", jobs=1)
    two = run_batch(inputs, tmp_path / "two", jobs=2)
    text = (tmp_path / "one" / "findings.jsonl").read_text(encoding="utf-8")
    assert text == (tmp_path / "two" / "findings.jsonl").read_text(encoding="utf-8")
    for name in ("summary.csv", "tables.csv", "aggregate.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert one.summary() | {"out": ""} == two.summary() | {"out": ""}
    again = run_batch(inputs, tmp_path / "two", jobs=2)
    assert again.checked == 0 and again.cached == 6
    assert (tmp_path / "two" / "findings.jsonl").read_text(encoding="utf-8") == text
    # a changed file, and only it, is checked again
    target = tmp_path / "in" / "2021-青河县教育局.md"  # the first report is Markdown
    target.write_bytes(target.read_bytes() + b"\n")
    assert run_batch(inputs, tmp_path / "two", jobs=2).checked == 1


def test_stuck_and_crashing_files_lose_only_themselves(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    (tmp_path / "in" / "stuck.md").write_text("# 青河县某局2022年政府信息公开工作年度报告\n", encoding="utf-8")
    (tmp_path / "in" / "crash.md").write_text("# 青河县某局2022年政府信息公开工作年度报告\n", encoding="utf-8")
    start = time.monotonic()
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2, timeout=1.5, check=slow_check)
    assert time.monotonic() - start < 30
    objs = by_path(tmp_path / "out")
    assert len(objs) == 4 and result.unreadable == 2
    stuck = next(o for p, o in objs.items() if p.endswith("stuck.md"))
    crash = next(o for p, o in objs.items() if p.endswith("crash.md"))
    assert [f["rule"] for f in stuck["findings"]] == ["P001"]
    assert "超时" in stuck["findings"][0]["message"] and "1.5 秒" in stuck["findings"][0]["message"]
    assert [f["rule"] for f in crash["findings"]] == ["P001"] and "退出码 3" in crash["findings"][0]["message"]
    fine = [o for p, o in objs.items() if Path(p).stem not in ("stuck", "crash")]
    assert len(fine) == 2 and all(o["findings"] == [] for o in fine)
    # timeouts and crashes are not kept: the next run tries them again, and only them
    again = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2, timeout=1.5, check=slow_check)
    assert again.checked == 2 and again.cached == 2


def test_unreadable_file_is_a_p_finding_and_the_batch_goes_on(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    (tmp_path / "in" / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "in" / "empty.html").write_bytes(b"")
    result = run_batch([str(tmp_path / "in")], tmp_path / "out", jobs=2)
    objs = by_path(tmp_path / "out")
    assert result.files == 4 and result.unreadable == 2
    bad = [o for p, o in objs.items() if Path(p).stem in ("broken", "empty")]
    assert len(bad) == 2 and all(o["findings"][0]["rule"].startswith("P") for o in bad)


def test_output_folder_inside_the_input_is_not_read_back(tmp_path: Path) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",))
    run_batch([str(tmp_path / "in")], tmp_path / "in" / "review", jobs=1)
    again = run_batch([str(tmp_path / "in")], tmp_path / "in" / "review", jobs=1)
    assert again.files == 2 and again.checked == 0
    assert collect_files([str(tmp_path / "in")], [tmp_path / "in" / "review"]) == sorted(
        str(p) for p in (tmp_path / "in").iterdir() if p.is_file()
    )


# -- Dask ------------------------------------------------------------------------------------------------------


def test_dask_local_cluster_gives_the_same_result(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    inputs = [str(tmp_path / "in")]
    run_batch(inputs, tmp_path / "local", jobs=2)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_batch(inputs, tmp_path / "dask", scheduler=client)
    assert result.checked == 6
    assert (tmp_path / "dask" / "findings.jsonl").read_text(encoding="utf-8") == (
        tmp_path / "local" / "findings.jsonl"
    ).read_text(encoding="utf-8")


def test_scheduler_without_dask_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_region(tmp_path / "in", agencies=("青河县教育局",), years=(2022,))
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(BatchError, match=r"pip install 'xxgk\[dask\]'"):
        run_batch([str(tmp_path / "in")], tmp_path / "out", scheduler="tcp://127.0.0.1:8786")
    result = CliRunner().invoke(
        batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 2 and "xxgk[dask]" in result.output and "Traceback" not in result.output


# -- the command -----------------------------------------------------------------------------------------------


def test_cli_prints_one_json_line_and_writes_the_folder(tmp_path: Path) -> None:
    make_region(tmp_path / "in", tweak=plant_carry_over("青河县财政局", 2022))
    runner = CliRunner()
    result = runner.invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(result.stdout.strip().splitlines()) == 1
    assert summary["files"] == 6 and summary["errors"] == 2 and summary["cross_report"] == 2
    for name in ("findings.jsonl", "index.html", "summary.csv", "summary.xlsx", "tables.csv", "aggregate.html",
                 "aggregate.json", "xxgk.db"):  # fmt: skip
        assert (tmp_path / "out" / name).is_file(), name
    assert len(list((tmp_path / "out" / "reports").glob("*.html"))) == 6
    failing = runner.invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--fail-on", "error"])
    assert failing.exit_code == 1
    custom_db = tmp_path / "elsewhere" / "store.db"
    result = runner.invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "o2"), "--db", str(custom_db)])
    assert result.exit_code == 0 and custom_db.is_file() and not (tmp_path / "o2" / "xxgk.db").exists()


def test_cli_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    result = runner.invoke(batch, [str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "没有找到" in result.output
    bad_map = tmp_path / "map.yaml"
    bad_map.write_text("- just a string\n", encoding="utf-8")
    make_region(tmp_path / "in", agencies=("青河县教育局",), years=(2022,))
    result = runner.invoke(batch, [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--agency-map", str(bad_map)])
    assert result.exit_code == 2 and "map.yaml" in result.output
