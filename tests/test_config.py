"""Settings discovery (upward, xxgk.toml before pyproject.toml), validation, and prefix rule selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.config import ConfigError, load_config, select_rules, unknown_selectors


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_settings(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(tmp_path) == ({}, None)


def test_found_upward_from_a_subfolder(tmp_path: Path) -> None:
    config = _write(tmp_path / "pyproject.toml", '[tool.xxgk]\nselect = ["A", "v1"]\nfail-on = "warning"\n')
    deep = tmp_path / "reports" / "2022"
    deep.mkdir(parents=True)
    settings, source = load_config(deep)
    assert source == config
    assert settings == {"select": ["A", "V1"], "fail_on": "warning"}


def test_pyproject_without_our_table_is_skipped(tmp_path: Path) -> None:
    outer = _write(tmp_path / "xxgk.toml", 'edition = "2021"\n')
    _write(tmp_path / "sub" / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    settings, source = load_config(tmp_path / "sub")
    assert source == outer and settings == {"edition": "2021"}


def test_other_projects_pyproject_is_not_ours_to_judge_but_ours_is(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.black\nbroken = ")  # not TOML, and no word of ours in it
    assert load_config(tmp_path) == ({}, None)
    _write(tmp_path / "pyproject.toml", "[tool]\nxxgk = { year = 2020 }\n")  # our table, written another way
    assert load_config(tmp_path)[0] == {"year": 2020}
    _write(tmp_path / "pyproject.toml", "[tool.xxgk]\nyear = ")
    with pytest.raises(ConfigError, match="不是有效的 TOML"):
        load_config(tmp_path)


def test_xxgk_toml_beats_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", "[tool.xxgk]\nyear = 2020\n")
    own = _write(tmp_path / "xxgk.toml", "year = 2022\n")
    assert load_config(tmp_path) == ({"year": 2022}, own)


def test_nearest_folder_wins_without_merging(tmp_path: Path) -> None:
    _write(tmp_path / "xxgk.toml", 'fail_on = "info"\nyear = 2020\n')
    inner = _write(tmp_path / "sub" / "pyproject.toml", '[tool.xxgk]\nformat = "sarif"\n')
    assert load_config(tmp_path / "sub") == ({"format": "sarif"}, inner)


def test_empty_xxgk_toml_stops_the_search(tmp_path: Path) -> None:
    _write(tmp_path / "xxgk.toml", "year = 2020\n")
    inner = _write(tmp_path / "sub" / "xxgk.toml", "")
    assert load_config(tmp_path / "sub") == ({}, inner)


def test_start_may_be_a_file(tmp_path: Path) -> None:
    own = _write(tmp_path / "xxgk.toml", "year = 2021\n")
    report = _write(tmp_path / "r.txt", "")
    assert load_config(report) == ({"year": 2021}, own)


def test_paths_are_relative_to_the_settings_file(tmp_path: Path) -> None:
    _write(tmp_path / "xxgk.toml", 'rules = ["rules/extra.yaml"]\nbaseline = "ci/baseline.json"\n')
    (tmp_path / "sub").mkdir()
    settings, _ = load_config(tmp_path / "sub")
    assert settings["rules"] == [str((tmp_path / "rules" / "extra.yaml").resolve())]
    assert settings["baseline"] == str((tmp_path / "ci" / "baseline.json").resolve())


def test_edition_may_be_a_number(tmp_path: Path) -> None:
    _write(tmp_path / "xxgk.toml", "edition = 2019\n")
    assert load_config(tmp_path)[0] == {"edition": "2019"}


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.xxgk]\nselekt = ["A"]\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert "pyproject.toml" in str(err.value) and "selekt" in str(err.value) and "未知的配置项" in str(err.value)


@pytest.mark.parametrize(
    "text",
    [
        'select = "A"',  # a list is required
        'fail_on = "sometimes"',
        'format = "xml"',
        'edition = "2020"',
        'year = "2022"',
        "baseline = 3",
        "rules = [1]",
        "year = [",  # not TOML
    ],
)
def test_bad_values(tmp_path: Path, text: str) -> None:
    _write(tmp_path / "xxgk.toml", text + "\n")
    with pytest.raises(ConfigError, match=r"xxgk\.toml"):
        load_config(tmp_path)


IDS = ["A101", "A102", "A103", "A201", "V101", "V103", "S101", "P001"]


@pytest.mark.parametrize(
    "select, ignore, expected",
    [
        (None, None, set(IDS)),
        (["ALL"], None, set(IDS)),
        (["all"], ["A"], {"V101", "V103", "S101", "P001"}),
        (["A"], None, {"A101", "A102", "A103", "A201"}),
        (["A1"], None, {"A101", "A102", "A103"}),
        (["a101", "V"], None, {"A101", "V101", "V103"}),
        (["A"], ["A1"], {"A201"}),
        (["A"], ["A"], set()),  # same specificity: ignore wins
        (["A101"], ["A"], {"A101"}),  # the more specific selector wins
        (["A1"], ["A103"], {"A101", "A102"}),
        ([], None, set()),
        (None, ["ALL"], set()),
        (["A10"], ["ALL"], {"A101", "A102", "A103"}),
    ],
)
def test_select_rules(select: list[str] | None, ignore: list[str] | None, expected: set[str]) -> None:
    assert select_rules(IDS, select, ignore) == expected


def test_unknown_selectors() -> None:
    assert unknown_selectors(IDS, ["A1", "ALL", "X9", "a11o"]) == ["X9", "a11o"]
