"""The background sender of the print queue: one thread per server process.

Checkout commits the sale, queues its receipt and wakes the worker; the request returns at
once, so a printer that is off, unplugged or out of paper never holds up the next checkout.
The worker also wakes every few seconds for retries that fell due and for jobs queued by
another process.
"""
import logging
import threading

from kiosk.db import database
from kiosk.printing import service

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


class PrintWorker:
    """Sends due jobs in a daemon thread; ``wake()`` after queueing one."""

    def __init__(self, printer_for, poll_seconds=POLL_SECONDS):
        self.printer_for = printer_for
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self._start_lock = threading.Lock()

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        with self._start_lock:
            if not self.running:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
                self._thread.start()
        return self

    def wake(self):
        self.start()
        self._wake.set()

    def stop(self, timeout=10):
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self):
        """Send what is due; returns seconds to sleep before the next round."""
        with database.connection_context():
            service.send_due(self.printer_for)
            wait = service.seconds_until_next()
        return self.poll_seconds if wait is None else min(max(wait, 0.05), self.poll_seconds)

    def _run(self):
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self.run_once()
            except Exception:  # a database hiccup must not end the thread
                log.exception("print worker round failed")
                wait = self.poll_seconds
            self._wake.wait(wait)
