"""bench/RESULTS.md keeps one row per figure: a rerun replaces its own figures, drops those it
no longer writes, and leaves the other benchmarks' rows alone."""

from bench import _results, scale


def _row(figure: str, value: str) -> _results.Row:
    return _results.Row(figure, value, "< 1 s", "-", "met")


def test_a_rerun_replaces_its_figures_and_drops_the_ones_it_no_longer_writes(tmp_path):
    path = tmp_path / "RESULTS.md"
    _results.record("balance", [_row("Balance of 100,000 cases", "2.9 s")], "first", path=path)
    _results.record(
        "scale, 100,000 cases",
        [
            _row("seed-scale, 100,000 cases", "94 s"),
            _row("Import of 2,000 invoice rows, 100,000 cases", "5.7 s"),
            _row("Daily cadence, 100,000 cases (112,629 open cases read)", "27.6 s"),
            _row("seed-scale, 1,000,000 cases", "482 s"),
        ],
        "first",
        path=path,
    )

    _results.record(
        "scale, 100,000 cases",
        [
            _row("seed-scale, 100,000 cases", "13 s"),
            _row("Import of 100,000 invoice rows, 100,000 cases", "10.9 s"),
            _row("Daily cadence, 100,000 cases", "27.1 s"),
        ],
        "second",
        path=path,
        owns=scale._owned_by(100_000),
    )

    rows, notes = _results._parse(path.read_text())
    assert [(r.figure, r.value) for r in rows] == [
        ("Balance of 100,000 cases", "2.9 s"),  # another benchmark's, though it says 100,000
        ("seed-scale, 100,000 cases", "13 s"),
        ("seed-scale, 1,000,000 cases", "482 s"),  # another size
        ("Import of 100,000 invoice rows, 100,000 cases", "10.9 s"),
        ("Daily cadence, 100,000 cases", "27.1 s"),
    ]
    assert "second" in notes["scale, 100,000 cases"]
