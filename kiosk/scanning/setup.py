"""Start the serial scanner reader when the KIOSK_SCANNER setting names one."""
import logging

from devices.scanners import ScannerError, SerialScanner
from kiosk.scanning.feed import ScanFeed

log = logging.getLogger(__name__)


def init_app(app):
    """Prepare the feed when a serial scanner is configured; :func:`start` opens the port."""
    if app.config.get("SCANNER_URL"):
        app.extensions["scan_feed"] = ScanFeed()


def start(app):
    """Open the serial scanner (in the server process only). Raises ScannerError for a bad
    setting or a missing pyserial."""
    scans = app.extensions.get("scan_feed")
    if scans is None:
        return None

    def failed(message):
        log.warning("%s", message)
        scans.failed(message)

    reader = SerialScanner(app.config["SCANNER_URL"], scans.push, failed)
    app.extensions["serial_scanner"] = reader
    return reader.start()


__all__ = ["init_app", "start", "ScannerError"]
