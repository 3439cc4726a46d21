"""The receipt printers the app sends jobs to, and the worker that sends them.

Each store prints to the printer its settings name (``Store.printer_url``), or else to the one
the ``KIOSK_PRINTER`` setting names. Views and services never open a printer themselves: they
ask :func:`printer` (or :class:`Printers`) for it, and queue jobs with :func:`kick` after.
"""
import os
import threading
import time

from flask import current_app

from devices import printer_from_url
from devices.profiles import profile_for
from kiosk.printing.worker import PrintWorker
from kiosk.stores.models import Store


class Printers:
    """Printer objects by URL, built once and shared by requests and the worker."""

    def __init__(self, config, instance_path):
        self.config = config
        self.directory = os.path.join(instance_path, "virtual-printer")
        self._by_url = {}
        self._lock = threading.Lock()
        # Tests may hand over a printer object (PRINTER); otherwise it is built from the URL.
        self.default = config.get("PRINTER") or self.build(config["PRINTER_URL"])

    def build(self, url):
        """A printer for ``url`` with the configured paper and encoding as defaults (the URL's
        own ?paper=…&encoding=… win). Raises ValueError for a URL that cannot be used."""
        return printer_from_url(
            url, paper_mm=self.config["PAPER_WIDTH"], encoding=self.config["PRINTER_ENCODING"],
            directory=self.directory,
        )

    def for_url(self, url):
        """The printer for a store's URL setting; the default one when it is empty.
        Raises ValueError for a URL that cannot be used."""
        url = (url or "").strip()
        if not url:
            return self.default
        with self._lock:
            if url not in self._by_url:
                self._by_url[url] = self.build(url)
            return self._by_url[url]

    def for_store(self, store_id):
        """The printer of the store with id ``store_id``. Raises ValueError for a bad URL."""
        store = Store.get_or_none(Store.id == store_id)
        return self.for_url(store.printer_url if store else "")


def init_app(app):
    printers = Printers(app.config, app.instance_path)
    app.config["PRINTER"] = printers.default
    app.config.setdefault("PAPER_PROFILE", profile_for(app.config["PAPER_WIDTH"]))
    app.extensions["printers"] = printers
    app.extensions["print_worker"] = PrintWorker(printers.for_store, served=lambda: _served(app))


def _served(app):
    """The store the server of ``app`` serves (KIOSK_STORE, else the only store), or None.
    Raises KioskError (unknown_store, store_not_chosen)."""
    from kiosk.stores.service import served_store

    return served_store(app.config.get("STORE_CODE"))


def printers():
    return current_app.extensions["printers"]


def printer(store=None):
    """The printer of ``store`` (default: the signed-in staff's store). Raises ValueError when
    the store's printer URL cannot be used."""
    if store is None:
        from kiosk.staff.auth import current_store
        store = current_store()
    return printers().for_url(store.printer_url if store is not None else "")


def kick(store=None, wait_for=None, seconds=2.0):
    """Have ``store``'s queued jobs sent (default: the served store's): at once in this
    request when PRINT_WORKER is "inline" (tests), otherwise by waking the background worker
    (which sends the served store's jobs only), so the request never waits for a printer.

    With ``wait_for`` (a job), wait up to ``seconds`` for its first attempt and return the job
    as it is then: a reprint the staff member is standing by gets its answer on the spot when
    the printer works, and a dead printer costs at most ``seconds``."""
    from kiosk.printing import service
    from kiosk.printing.models import PENDING, SENDING, PrintJob

    if current_app.config.get("PRINT_WORKER", "thread") == "inline":
        if store is None:
            from kiosk.staff.auth import current_store
            store = current_store()
        if store is not None:  # only the served store's jobs, never every store's
            service.send_due(printers().for_store, store=store)
    else:
        current_app.extensions["print_worker"].wake()
    if wait_for is None:
        return None
    deadline, before = time.monotonic() + seconds, wait_for.attempts
    while True:
        job = PrintJob.get_by_id(wait_for.id)
        if job.status not in (PENDING, SENDING) or (job.attempts > before and not service.in_flight(job)):
            return job
        if time.monotonic() >= deadline:
            return job
        time.sleep(0.05)
