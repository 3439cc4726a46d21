"""Importing devices must not change the process's logging set-up or pull in kiosk."""

import os
import subprocess
import sys
from pathlib import Path

import devices

REPO = Path(devices.__file__).resolve().parent.parent


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), ESCPOS_CAPABILITIES_PICKLE_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    )


def test_import_leaves_root_logger_unconfigured(tmp_path):
    result = run_python("import logging, devices; print(len(logging.getLogger().handlers))", tmp_path)
    assert result.stdout.strip() == "0"
    assert result.stderr == ""


def test_devices_does_not_import_kiosk(tmp_path):
    result = run_python("import sys, devices; print('kiosk' in sys.modules)", tmp_path)
    assert result.stdout.strip() == "False"
