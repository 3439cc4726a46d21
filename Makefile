# The two commands: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HTMX   := static/vendor/htmx.min.js

.PHONY: run test setup system-deps translations extract-messages bench clean

run: setup
	sh .ci/system-deps.sh --run
	$(BIN)/kiosk init-db
	$(BIN)/kiosk demo --activity
	$(BIN)/kiosk serve

# Two workers (pytest-xdist), one test file per worker at a time so that a file's browser
# server starts once; the suite stays under 15 minutes on two cores. The tests that depend on
# timing (a scanner is told from a person by key timing, as on the products screen; the devices flow polls a
# serial scanner and waits for printer retries) run alone afterwards, on an unloaded machine.
# The passbook (and the camera scan on it) also tells a scanned card from typing by key timing.
# The kill -9 test of `kiosk serve` restarts the server 21 times and kills it while a slow fake
# printer is taking a receipt (about 30 s alone). The stock-take stepper saves a stepped count
# after a pause without taps; the cashier's 已取消 · 撤销 notice hides itself after 8 s. The
# receipt-fault tests drive fake printers with a 1 s time-out (a loaded machine misses it).
TIMED := tests/browser/test_scanner_wedge.py tests/browser/test_devices_flow.py tests/browser/test_products_flow.py \
	tests/browser/test_passbook_flow.py tests/browser/test_camera_scan.py tests/devices/test_kill_serve_during_checkout.py \
	tests/browser/test_stocktake_stepper.py tests/browser/test_cancel_undo.py tests/devices/test_receipt_faults.py
# Then the unit, web and concurrency tests again on PostgreSQL: each worker starts a throwaway
# cluster (tests/pg.py: initdb in a temporary folder as a non-root user, a free port, stopped at
# the end even when tests fail) and gives each test its own database. The CLI tests use SQLite
# files of their own, except test_cli_postgres.py, which runs here; the browser tests stay on
# SQLite. Tests that check something only SQLite has are skipped there with their reason.
# Measured on the 2-core machine while shared with other work: 1,387 tests in about 6 minutes,
# so the whole of `make test` stays under 25 minutes.
PG_TESTS := tests/unit tests/web tests/cli/test_cli_postgres.py
test: setup system-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile $(addprefix --ignore=,$(TIMED) tests/cli/test_cli_postgres.py)
	$(BIN)/python -m pytest $(TIMED)
	@echo "=== The same unit, web and concurrency tests on PostgreSQL (KIOSK_TEST_ENGINE=postgres) ==="
	KIOSK_TEST_ENGINE=postgres $(BIN)/python -m pytest -n 2 --dist loadfile $(PG_TESTS)

setup: $(VENV)/.installed $(HTMX) translations

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# htmx, onScan.js (keyboard-wedge scanners) and zxing-wasm's reader (camera scanning, with its
# .wasm so that an offline kiosk needs no CDN) come from the npm registry, pinned by
# package-lock.json, and are copied into a git-ignored static/vendor/.
$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)
	cp node_modules/onscan.js/onscan.min.js static/vendor/onscan.min.js
	cp node_modules/zxing-wasm/dist/iife/reader/index.js static/vendor/zxing-reader.js
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm static/vendor/zxing_reader.wasm

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d kiosk/translations -D messages --statistics 2>&1 | tail -n 2

# Re-extract the message catalogue after changing UI text, then translate the new entries.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -w 100 -o kiosk/translations/messages.pot kiosk templates
	$(BIN)/pybabel update -i kiosk/translations/messages.pot -d kiosk/translations -D messages -w 100 --no-fuzzy-matching

# Debian's Chromium and CJK fonts for the browser tests (installed when running as root).
system-deps:
	sh .ci/system-deps.sh

bench: setup
	$(BIN)/python bench/checkout.py

clean:
	rm -rf $(VENV) node_modules static/vendor *.egg-info test-artifacts
