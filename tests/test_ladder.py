import json

import pytest

from armlib import ladder


def test_readme_shows_the_ladder_the_results_files_hold():
    readme = ladder.README.read_text()
    assert readme == ladder.readme_with_ladder(readme), (
        "the README's ladder is stale: run `.venv/bin/python -m tools.update_ladder` to rebuild it")


def test_every_results_file_has_the_agreed_fields():
    for path in sorted(ladder.COMMITTED_RESULTS.glob("*.json")):
        for row in json.loads(path.read_text()):
            assert set(row) == {"model", "test_nats", "test_bpd", "params", "train_seconds", "epochs"}, path


def test_uniform_is_the_first_rung_and_chapters_follow_in_order(tmp_path):
    ladder.record("04_b", [{"model": "m4", "test_nats": 90.0, "test_bpd": 2.03, "params": 10,
                            "train_seconds": 1.0, "epochs": 2}], results=tmp_path)
    ladder.record("02_a", [{"model": "m2", "test_nats": 110.0, "test_bpd": 2.48, "params": 5,
                            "train_seconds": 1.0, "epochs": 3}], results=tmp_path)
    rows = ladder.rows(tmp_path)
    assert [row["model"] for row in rows] == ["uniform over 17 values", "m2", "m4"]
    assert rows[0]["test_nats"] == pytest.approx(181.33)
    assert "| 02_a | m2 | 110.00 |" in ladder.markdown(tmp_path)
    # a chapter shows the ladder so far: chapters after it are left out
    assert [row["model"] for row in ladder.rows(tmp_path, through="03_x")] == ["uniform over 17 values", "m2"]
    assert "m4" not in ladder.markdown(tmp_path, through="02_a")
    assert "m4" in ladder.markdown(tmp_path, through="04_b")


def test_readme_without_markers_is_reported():
    with pytest.raises(ValueError, match="ladder"):
        ladder.readme_with_ladder("# no table here\n")


def test_a_later_chapter_finds_an_earlier_row_by_name(tmp_path):
    row = {"model": "m2", "test_nats": 110.0, "test_bpd": 2.48, "params": 5, "train_seconds": 1.0, "epochs": 3}
    ladder.record("02_a", [row], results=tmp_path)
    assert ladder.find("02_a", "m2", results=tmp_path) == row
    with pytest.raises(KeyError, match=r"no row 'm3'; its rows: \['m2'\]"):
        ladder.find("02_a", "m3", results=tmp_path)
    with pytest.raises(KeyError, match="no results for chapter '05_b'"):
        ladder.find("05_b", "m2", results=tmp_path)


def test_a_chapters_view_leaves_out_training_times_that_change_with_every_run(tmp_path):
    ladder.record("02_a", [{"model": "m", "test_nats": 100.0, "test_bpd": 2.25, "params": 5, "train_seconds": 12.3,
                            "epochs": 4}], results=tmp_path)
    chapter_view, full = ladder.markdown(tmp_path, through="02_a"), ladder.markdown(tmp_path)
    assert "training [s]" not in chapter_view and chapter_view.splitlines()[-1] == "| 02_a | m | 100.00 | 2.250 | 5 | 4 |"
    assert "training [s]" in full and full.splitlines()[-1] == "| 02_a | m | 100.00 | 2.250 | 5 | 12 | 4 |"
