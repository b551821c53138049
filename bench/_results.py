"""Shared by the benchmarks: describe the machine and merge figures into bench/RESULTS.md.

Each benchmark calls `record(benchmark, rows, note)`. Rows are merged by figure name: a figure
already in the file is replaced in place, a new one is appended, the others are kept. Each
benchmark also owns one line under "Notes" (checksums, memory, every run's time), replaced the
same way. The "Machine" section describes the machine of the latest write.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

HEADER = """# Benchmark results

Written by `make bench` (see `bench/README.md`); each benchmark replaces its own rows and its
own note, so do not edit by hand. Values and references are medians of several runs measured
in the same run of the benchmark.
"""
COLUMNS = ("figure", "value", "target", "reference", "verdict")


@dataclass(frozen=True)
class Row:
    figure: str  # unique across all benchmarks: rows are merged by this name
    value: str
    target: str
    reference: str
    verdict: str

    def cells(self) -> tuple[str, ...]:
        return (self.figure, self.value, self.target, self.reference, self.verdict)


def pin_to_one_core() -> int | None:
    """Run on a single CPU, so a figure "on one core" means it. Returns the CPU, if pinned."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    cores = os.cpu_count() or 1
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return (
        f"- CPU: {cpu_model()}, {cores} core{'s' if cores > 1 else ''}{memory}\n"
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}\n"
        f"- Written: {now()}"
    )


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def median_times(
    functions: Sequence[Callable[[], object]], runs: int
) -> tuple[list[list[float]], list[object]]:
    """Time each function `runs` times, interleaved (f1, f2, f1, f2...), so that a slower spell of
    the machine hits them alike. Returns every time per function and each function's last result."""
    times: list[list[float]] = [[] for _ in functions]
    results: list[object] = [None] * len(functions)
    for _ in range(runs):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            results[i] = function()
            times[i].append(time.perf_counter() - start)
    return times, results


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _parse(text: str) -> tuple[list[Row], dict[str, str]]:
    rows: list[Row] = []
    notes: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
        elif section == "figures" and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == len(COLUMNS) and tuple(cells) != COLUMNS:
                rows.append(Row(*cells))
        elif section == "notes" and (match := re.match(r"- \*\*(.+?)\*\*", line)):
            notes[match.group(1)] = line
    return rows, notes


def _render(rows: list[Row], notes: dict[str, str]) -> str:
    table = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    table += ["| " + " | ".join(c.replace("|", "/") for c in row.cells()) + " |" for row in rows]
    parts = [HEADER, "## Machine\n\n" + machine(), "## Figures\n\n" + "\n".join(table)]
    if notes:
        parts.append("## Notes\n\n" + "\n".join(notes[key] for key in notes))
    return "\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def record(
    benchmark: str,
    rows: Sequence[Row],
    note: str,
    path: Path = RESULTS,
    owns: Callable[[str], bool] | None = None,
) -> Path:
    """Merge this benchmark's rows (by figure name) and its note (by `benchmark`, which names the
    configuration too when a benchmark can run at several sizes) into `path`. `owns(figure)`
    names the figures this benchmark writes: those of an earlier run it did not write again (a
    size whose import was smaller, a job left out) are dropped rather than left stale."""
    existing, notes = _parse(path.read_text()) if path.exists() else ([], {})
    new = {row.figure: row for row in rows}
    existing = [r for r in existing if r.figure in new or owns is None or not owns(r.figure)]
    merged = [new.pop(row.figure, row) for row in existing]
    merged += list(new.values())
    notes[benchmark] = f"- **{benchmark}** ({now()}): {' '.join(note.split())}"
    path.write_text(_render(merged, notes))
    return path
