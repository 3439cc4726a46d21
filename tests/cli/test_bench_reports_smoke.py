"""bench/reports.py builds a store with bench/checkout.py's builder and times the reports: a
tiny run keeps it working against the current schema and checks what it checks (figures equal to
plain sums, checkouts not blocked by a running report); its timings are for bench/README.md."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_report_benchmark_run_works_and_its_figures_are_the_plain_sums(tmp_path):
    out = tmp_path / "figures.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "reports.py"), "--households", "200", "--entries", "5000",
         "--rounds", "1", "--checkouts", "6", "--keep", str(tmp_path / "work"), "--json", str(out)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    rows = json.loads(out.read_text())["rows"]
    checks = [row for row in rows if "plain sums" in row["metric"]]
    assert len(checks) == 2 and all(row["result"] == "PASS" for row in checks)
    assert next(row for row in rows if row["metric"].startswith("checkout max"))["result"] == "PASS"
    totals = [row for row in rows if row["metric"].startswith("all three")]
    assert [row["target"] for row in totals] == ["< 2 s", "< 10 s"]  # a month's, then a year's
