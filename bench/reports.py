#!/usr/bin/env python
"""Report benchmark: a month's and a year's report at 1,000,000 ledger entries, and a checkout
during a long report.

Builds one store with bench/checkout.py's builder (default 20,000 households and 1,000,000
ledger entries over three years, with their sales, sale lines and stock movements), then:

* times ``kiosk.reports.service.points``, ``participation`` and ``goods`` for the last whole
  month and the last whole year (median of 3), each against a baseline measured in the same
  run: one plain query over the same rows (``SELECT COUNT(*), SUM(delta) FROM ledger_entry
  WHERE store_id = ? AND created_at in the period``);
* runs checkouts (``kiosk.checkout.service.checkout``) in another thread while the year's
  reports run in this one, against the same checkouts with nothing else running: a report reads
  and never blocks a checkout.

Targets (issue 15): a month's reports under 2 s, a year's under 10 s. The exit status is 0
whatever the figures: a benchmark reports, it does not gate.

    .venv/bin/python bench/reports.py                 # 1,000,000 entries (build a few minutes)
    .venv/bin/python bench/reports.py --quick         # 50,000 entries
    .venv/bin/python bench/reports.py --keep DIR      # build in DIR, or reuse DIR/kiosk.db
"""
import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import checkout as bench_checkout  # noqa: E402  (bench/checkout.py: the store builder)
from werkzeug.security import generate_password_hash  # noqa: E402

from kiosk import db as kiosk_db  # noqa: E402
from kiosk import schema  # noqa: E402

MONTH_TARGET_S = 2.0
# A checkout that waited this long would have waited for a report (SQLite's busy time-out is
# 10 s; a checkout takes milliseconds): the "never blocked" check.
BLOCKED_S = 1.0
YEAR_TARGET_S = 10.0
REPORTS = ("points", "participation", "goods")
log = bench_checkout.log


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, help="households (default 20,000; --quick 2,000)")
    parser.add_argument("--entries", type=int, help="ledger entries (default 1,000,000; --quick 50,000)")
    parser.add_argument("--products", type=int, default=140)
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each report (median; default 3)")
    parser.add_argument("--checkouts", type=int, default=60,
                        help="checkouts during the year's reports and without them (default 60)")
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it; reuse DIR/kiosk.db when there")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite",
                        help="postgres: build the store in a throwaway cluster (tests/pg.py)")
    parser.add_argument("--database-url", metavar="URL", help="an EMPTY PostgreSQL database to build the store in")
    args = parser.parse_args(argv)
    if args.database_url and args.engine == "postgres":
        parser.error("give --database-url or --engine postgres, not both")
    defaults = dict(households=2_000, entries=50_000) if args.quick else dict(households=20_000, entries=1_000_000)
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in ("households", "entries", "products", "rounds", "checkouts"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.products < bench_checkout.LINES_PER_CHECKOUT:
        parser.error(f"--products must be at least {bench_checkout.LINES_PER_CHECKOUT}")
    return args


def last_whole_periods(today):
    """(month, year): the last whole month and the last whole year before ``today``."""
    from kiosk.reports.periods import parse

    month_end = today.replace(day=1) - timedelta(days=1)
    return parse(f"{month_end:%Y-%m}"), parse(str(today.year - 1))


def check_figures(store, periods, today):
    """[(label, ok)]: each period's outstanding points and stock value at both ends equal the
    plain sums of the ledger and of the movements up to each bound (the reports may read them
    backwards from today's balances and stock)."""
    from kiosk.reports import service

    p = kiosk_db.database.param
    out = []
    for period in periods:
        start, end = period.bounds(store.timezone)
        points, goods = service.points(store, period), service.goods(store, period, today=today)
        sums = []
        for moment in (start, end):
            ledger = kiosk_db.database.execute_sql(
                f"SELECT SUM(delta) FROM ledger_entry WHERE store_id = {p} AND created_at < {p}",
                (store.id, moment)).fetchone()[0]
            stock = kiosk_db.database.execute_sql(
                "SELECT SUM(m.delta * pr.points) FROM stock_movement m JOIN product pr ON pr.id = m.product_id"
                f" WHERE pr.store_id = {p} AND m.created_at < {p}", (store.id, moment)).fetchone()[0]
            sums.append((int(ledger or 0), int(stock or 0)))
        figures = [(points.outstanding_start, goods.stock_value_start), (points.outstanding_end, goods.stock_value_end)]
        out.append((f"{period.code}: outstanding points and stock value = plain sums", figures == sums))
    return out


def timed(function, rounds):
    """(median seconds, result of the last run)."""
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline_query(store, period):
    """The plain query the reports are compared with: the period's entries of the store."""
    start, end = period.bounds(store.timezone)
    cursor = kiosk_db.database.execute_sql(
        "SELECT COUNT(*), SUM(delta) FROM ledger_entry WHERE store_id = %s AND created_at >= %s AND created_at < %s"
        % ((kiosk_db.database.param,) * 3), (store.id, start, end))
    return cursor.fetchone()


def measure_reports(store, periods, rounds, today):
    from kiosk.reports import service

    runs = {
        "points": lambda p: service.points(store, p),
        "participation": lambda p: service.participation(store, p),
        "goods": lambda p: service.goods(store, p, today=today),
    }
    rows = []
    for label, period in periods:
        base, (count, _) = timed(lambda: baseline_query(store, period), rounds)
        total = 0.0
        for name in REPORTS:
            seconds, _ = timed(lambda: runs[name](period), rounds)
            total += seconds
            rows.append((label, period, name, seconds, base, count))
        rows.append((label, period, "all three", total, base, count))
    return rows


def checkout_plans(store, rng, count):
    """``count`` affordable carts of ``store``, read through the app's connection (either engine)."""
    import district

    state = district.store_state(store)
    return state, state.plan(rng, count)


def run_checkouts(plans, staff_id, store_id, times):
    """Each plan through kiosk's checkout on this thread's own connection; times appended."""
    from kiosk.stores.models import Store

    kiosk_db.database.connect(reuse_if_open=True)
    try:
        store = Store.get_by_id(store_id)
        for plan in plans:
            started = time.perf_counter()
            bench_checkout.ours_checkout(store, plan, staff_id)
            times.append(time.perf_counter() - started)
    finally:
        kiosk_db.database.close()


def measure_blocking(store, period, plans, staff_id, today):
    """Checkout latencies with nothing else running, then on a thread of their own while the
    year's three reports run again and again on another (each thread its own connection).
    Returns (alone, during, reports finished while the checkouts ran)."""
    from kiosk.reports import service

    half = len(plans) // 2
    alone, during = [], []
    run_checkouts(plans[:half], staff_id, store.id, alone)
    started, done, finished = threading.Event(), threading.Event(), []

    def reports():
        while not done.is_set():
            service.points(store, period)
            started.set()  # the first report has read: from now on one is always running
            service.participation(store, period)
            service.goods(store, period, today=today)
            finished.append(time.perf_counter())

    reader = threading.Thread(target=_with_connection(reports))
    reader.start()
    started.wait()
    checkouts = threading.Thread(target=lambda: run_checkouts(plans[half:], staff_id, store.id, during))
    checkouts.start()
    checkouts.join()
    done.set()
    reader.join()
    return alone, during, len(finished)


def _with_connection(function):
    def run():
        kiosk_db.database.connect(reuse_if_open=True)
        try:
            function()
        finally:
            kiosk_db.database.close()
    return run


def main(argv=None):
    args = parse_args(argv)
    if args.keep:
        workdir = Path(args.keep).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = contextlib.nullcontext()
    else:
        cleanup = tempfile.TemporaryDirectory(prefix="kiosk-bench-reports-")
        workdir = Path(cleanup.name)
    cluster = None
    with cleanup:
        try:
            url = args.database_url
            if args.engine == "postgres":
                import district

                cluster, url = district.start_cluster()
                log(f"started a throwaway PostgreSQL cluster (tests/pg.py, fsync off), port {cluster.port}")
            run(args, workdir, url)
        finally:
            bench_checkout.close_app_db()
            if cluster is not None:
                cluster.stop()
    return 0


def prepare(args, workdir, url):
    """The store's database URL, built at the asked size unless --keep found it built."""
    import district

    pin_hash = generate_password_hash(bench_checkout.PIN)
    if url is None:  # SQLite: bench/checkout.py's one store in DIR/kiosk.db
        path = workdir / "kiosk.db"
        if path.exists():
            log(f"reusing {path}")
        else:
            started = time.perf_counter()
            builder = bench_checkout.StoreBuilder(path, args.households, args.products, args.entries, args.seed)
            builder.create(pin_hash)
            builder.grow(args.entries)
            log(f"built the store in {time.perf_counter() - started:.1f} s")
        return bench_checkout.sqlite_url(path)
    # PostgreSQL: bench/district.py's builder, one store (an empty database, as there).
    _builder, seconds = district.build(url, 1, args.households, args.products, args.entries, args.seed, pin_hash)
    log(f"built the store on PostgreSQL in {seconds:.1f} s")
    return url


def run(args, workdir, url):
    import district
    from kiosk.stores.models import Store

    log(f"kiosk report benchmark: {args.households:,} households, {args.entries:,} ledger entries; "
        f"{os.cpu_count()} CPUs; working in {workdir}")
    load = os.getloadavg()[0]
    if load > 0.5:
        log(f"note: load average {load:.2f} before starting: the machine is shared, absolute times are noisy")
    url = prepare(args, workdir, url)
    kiosk_db.connect(url, pool_size=4)
    kiosk_db.database.connect()
    applied = schema.upgrade()  # a kept database built before a newer migration gets it here
    if applied:
        log(f"applied {', '.join(applied)}")
    counts = {t: kiosk_db.database.execute_sql(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("ledger_entry", "sale", "sale_line", "stock_movement")}
    log(f"{district.server_version(url)}; rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    store = Store.select().order_by(Store.id).get()
    today = datetime.now(timezone.utc).date()
    month, year = last_whole_periods(today)
    rows = measure_reports(store, [("month", month), ("year", year)], args.rounds, today)
    checks = check_figures(store, [month, year], today)
    state, plans = checkout_plans(store, random.Random(args.seed + 2), 2 * args.checkouts)
    kiosk_db.database.close()
    alone, during, reports_done = measure_blocking(store, year, plans, state.cashier_id, today)

    report = bench_checkout.Report()
    for label, period, name, seconds, base, count in rows:
        target = (MONTH_TARGET_S if label == "month" else YEAR_TARGET_S) if name == "all three" else None
        report.add(f"{name}, {label} {period.code} ({count:,} entries)", f"{seconds:.3f} s",
                   f"{base * 1000:.1f} ms plain query", seconds / base if base else None,
                   f"< {target:g} s" if target else "", None if target is None else seconds < target)
    p50 = lambda values: bench_checkout.percentile(values, .5)  # noqa: E731
    p95 = lambda values: bench_checkout.percentile(values, .95)  # noqa: E731
    log(f"{len(during)} checkouts ran while the year's reports ran {reports_done} more times on another thread")
    report.add(f"checkout p50 during the year's reports ({len(during)})", f"{p50(during) * 1000:.1f} ms",
               f"{p50(alone) * 1000:.1f} ms alone", p50(during) / p50(alone), "info")
    report.add("checkout p95 during the year's reports", f"{p95(during) * 1000:.1f} ms",
               f"{p95(alone) * 1000:.1f} ms alone", p95(during) / p95(alone), "info")
    report.add("checkout max during the year's reports", f"{max(during) * 1000:.1f} ms",
               f"{max(alone) * 1000:.1f} ms alone", max(during) / max(alone), "< 1 s: not blocked",
               max(during) < BLOCKED_S)
    for label, ok in checks:
        report.add(label, "yes" if ok else "NO", "", None, "yes", ok)
    report.print()
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": report.as_json()}, ensure_ascii=False, indent=1))
    return report


if __name__ == "__main__":
    sys.exit(main())
