"""The background sender of the print queue: one thread per server process.

Checkout commits the sale, queues its receipt and wakes the worker; the request returns at
once, so a printer that is off, unplugged or out of paper never holds up the next checkout.
The worker also wakes every few seconds for retries that fell due and for jobs queued by
another process.

A server sends only the jobs of the store it serves (KIOSK_STORE): on a district server many
stores share one database, and each store's server prints its own receipts on its own printer.
The served store is looked up every round (the first-run screen may open it while the server
runs); while the database holds no store, or several and none is named, nothing is sent.
"""
import logging
import threading

from kiosk.db import database
from kiosk.errors import KioskError
from kiosk.printing import service

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0


class PrintWorker:
    """Sends the served store's due jobs in a daemon thread; ``wake()`` after queueing one.

    ``printer_for(store_id)`` gives a store's printer; ``served()`` the store this server
    serves, or None (default: the only store in the database). It may raise KioskError
    (unknown_store, store_not_chosen): then nothing is sent either."""

    def __init__(self, printer_for, served=None, poll_seconds=POLL_SECONDS):
        self.printer_for = printer_for
        self.served = served or _only_store
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
            try:
                store = self.served()
            except KioskError:  # KIOSK_STORE names no store, or several stores and none named
                store = None
            if store is None:
                return self.poll_seconds
            service.send_due(self.printer_for, store=store)
            wait = service.seconds_until_next(store=store)
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


def _only_store():
    from kiosk.stores.service import served_store

    return served_store("")
