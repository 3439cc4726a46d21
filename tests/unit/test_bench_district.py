"""bench/checkout.py's district run writes its stores with raw SQL (COPY on PostgreSQL): a tiny
run keeps it in step with the schema, on the engine the tests run on (--database-url is this
test's empty database).

Only correctness is checked (it runs, the raw baseline adds the same rows as kiosk's checkout,
cashier flows over HTTP succeed, verify finds nothing in the district and in the SQLite store);
timings are for the benchmark.
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_district_benchmark_builds_checks_out_and_verifies(tmp_path, database_url):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "checkout.py"), "--database-url", database_url, "--stores", "2",
         "--households", "400", "--entries", "8000", "--products", "12", "--lookups", "40", "--checkouts", "8",
         "--verify-rounds", "1", "--flows", "4", "--healthz", "20", "--json", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["stores"] == 2
    rows = {row["metric"]: row for row in figures["rows"]}
    assert rows["same rows as raw SQL"]["result"] == "PASS"
    assert rows["verify --store problems"]["result"] == "PASS"
    assert rows["verify (whole district) problems"]["result"] == "PASS"
    assert rows["HTTP flows failed, district"]["result"] == "PASS"  # kiosk serve on the district, KIOSK_STORE
    assert rows["HTTP flows failed, SQLite store"]["result"] == "PASS"
    assert rows["lookup p95, district (2 stores)"]["result"] in ("PASS", "FAIL")
    for clients in (1, 4, 8):
        assert f"checkout {clients} client(s), same store" in rows
        assert f"SQLite store: checkout {clients} client(s)" in rows
