"""bench/checkout.py writes its data with raw SQL: a tiny run keeps it in step with the schema.

Only correctness is checked here (it runs, every HTTP flow succeeds, verify finds nothing, it
writes the same rows as the raw baseline); its timings are for `make bench`, not for tests.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_benchmark_run_works_against_the_current_schema(tmp_path):
    out = tmp_path / "figures.json"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "checkout.py"), "--quick", "--households", "300", "--entries", "5000",
         "--lookups", "100", "--checkouts", "20", "--flows", "5", "--healthz", "50", "--json", str(out)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    rows = {row["metric"]: row for row in json.loads(out.read_text())["rows"]}
    assert rows["HTTP flows failed"]["result"] == "PASS"
    assert rows["verify() problems"]["result"] == "PASS"
    assert rows["same rows as raw"]["result"] == "PASS"
