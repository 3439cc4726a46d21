"""Screenshots for docs/: with KIOSK_UPDATE_DOCS=1 a browser test copies the artifacts the manuals
show into docs/; a plain test run leaves docs/ alone.

    keep_for_docs(shot("05-checked-out"), "cashier-checked-out")
    # test-artifacts/05-checked-out-1024x768.png -> docs/cashier-checked-out-1024x768.png
"""
import os
import re
import shutil
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def updating_docs():
    return bool(os.environ.get("KIOSK_UPDATE_DOCS"))


def keep_for_docs(artifact, stem):
    """Copy the artifact to docs/<stem><its size suffix>.png (e.g. -1280x800) when updating the docs."""
    if updating_docs():
        size = re.search(r"-\d+x\d+\.png$", Path(artifact).name)
        shutil.copy(artifact, DOCS / (stem + (size.group(0) if size else ".png")))
    return artifact


def keep_bytes_for_docs(data, name):
    """Write bytes (an image fetched from the kiosk, e.g. a slip's paper preview) to docs/<name>."""
    if updating_docs():
        (DOCS / name).write_bytes(data)


# The receipts screen asks the printer and loads each paper preview after the page: a screenshot
# for the manuals waits for both (a plain test run does not wait for them).
SETTLED = """() => document.querySelector('#printer-status.printer-status')
  && [...document.querySelectorAll('img.paper-png')].every(img => img.complete && img.naturalWidth > 0)"""


def settle_for_docs(page):
    if updating_docs():
        page.wait_for_function(SETTLED, timeout=15000)
