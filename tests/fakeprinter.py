"""A fake ESC/POS network printer on 127.0.0.1 for failure tests.

Modes (switchable while it runs):
- "ok": reads every job and answers DLE EOT status queries ("ready", or the state set with
  ``paper_out``/``cover_open``);
- "refuse": nothing listens on the port (connections are refused);
- "hang": accepts connections and never reads nor answers (a jammed printer);
- "close": reads the first bytes of a job (``cut_at``, 64 by default), then resets the
  connection mid-job;
- "stall": answers status queries, reads a whole job, then never answers the confirmation
  query (hung after the job);
- "reset": answers status queries, reads a whole job, then resets instead of confirming;
- "mute": reads everything and never answers a status query (a printer without DLE EOT);
- "trickle": like "ok", reading ``rate`` bytes per second.

``jobs`` holds the bytes of every complete job received (status queries left out); ``paper``
what came out of the printer, job by job: whatever job bytes it read, whole or cut.
"""
import select
import socket
import struct
import threading
import time

DLE_EOT = b"\x10\x04"
READY = {1: 0x16, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_OUT = {**READY, 2: 0x12 | 0x20, 4: 0x12 | 0x60}
COVER_OPEN = {**READY, 1: 0x16 | 0x08, 2: 0x12 | 0x04}


class FakePrinter:
    def __init__(self, mode="ok"):
        probe = socket.create_server(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.jobs = []
        self.paper = []
        self.cut_at = 64
        self.rate = 80
        self.answers = READY
        self._sock = None
        self._held = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self.mode = None
        self.set_mode(mode)

    @property
    def url(self):
        return f"tcp://127.0.0.1:{self.port}"

    def set_mode(self, mode):
        with self._lock:
            if mode == "refuse":
                self._close_listener()
            elif self._sock is None:
                self._sock = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
                self._sock.settimeout(0.1)
                self._stop.clear()
                self._thread = threading.Thread(target=self._serve, args=(self._sock,), daemon=True)
                self._thread.start()
            self.mode = mode

    def _close_listener(self):
        if self._sock is not None:
            self._stop.set()
            self._thread.join(5)
            self._sock.close()
            self._sock = None

    def close(self):
        with self._lock:
            self._close_listener()
            for conn in self._held:
                conn.close()
            self._held = []

    def _serve(self, listener):
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            if self.mode == "hang":
                self._held.append(conn)  # never read: the sender's writes and queries wait
                continue
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn):
        mode, received, job = self.mode, b"", b""
        conn.settimeout(5)
        with conn:
            while not self._stop.is_set():
                try:
                    if mode == "trickle":
                        chunk = conn.recv(8)
                        time.sleep(len(chunk) / self.rate)
                    else:
                        chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                if mode == "close" and not received.startswith(DLE_EOT) and len(job + received) >= self.cut_at:
                    # A reset (not a polite FIN): the printer went away in the middle of the job.
                    self.paper.append((job + received)[:self.cut_at])
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                at = received.find(DLE_EOT)
                while at >= 0 and at + 3 <= len(received):
                    n = received[at + 2]
                    job, received = job + received[:at], received[at + 3:]
                    if job and mode in ("stall", "reset"):
                        self.paper.append(job)  # read (and printed) the whole job ...
                        if mode == "reset":  # ... then went away instead of confirming
                            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            return
                        self._stop.wait(30)  # ... then hung
                        return
                    if mode != "mute":
                        conn.sendall(bytes([self.answers.get(n, 0x12)]))
                    at = received.find(DLE_EOT)
        job += received
        if job and mode != "close":
            self.jobs.append(job)
            self.paper.append(job)

    def wait_for_jobs(self, count, seconds=10):
        deadline = time.monotonic() + seconds
        while len(self.jobs) < count and time.monotonic() < deadline:
            select.select([], [], [], 0.02)
        return len(self.jobs) >= count
