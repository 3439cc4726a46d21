"""Scans from a serial scanner, waiting for the screen to collect them.

The reader thread (devices.scanners.SerialScanner) appends each code; the open screen asks
for the codes after the last one it saw, every half second, and handles each exactly as a
typed scan. Codes are kept in memory only and only for a short while: a scan nobody collects
within ``MAX_AGE_SECONDS`` (no screen open) is dropped, never applied later to a stranger's cart.
"""
import collections
import threading
import time

MAX_AGE_SECONDS = 10
MAX_KEPT = 50


class ScanFeed:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._codes = collections.deque(maxlen=MAX_KEPT)  # (seq, at, code)
        self._seq = 0
        self.error = ""

    def push(self, code):
        with self._lock:
            self._seq += 1
            self._codes.append((self._seq, self._clock(), code))
            self.error = ""

    def failed(self, message):
        self.error = message

    @property
    def last(self):
        return self._seq

    def since(self, after):
        """(last sequence number, [codes newer than ``after`` and still fresh])."""
        now = self._clock()
        with self._lock:
            codes = [code for seq, at, code in self._codes if seq > after and now - at <= MAX_AGE_SECONDS]
            return self._seq, codes
