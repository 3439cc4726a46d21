"""A throwaway PostgreSQL cluster for the tests (KIOSK_TEST_ENGINE=postgres).

``initdb`` in a temporary folder, as a non-root user (initdb refuses root: when the tests run
as root, the cluster belongs to a system user ``kioskpg``, made when missing), started on a free
port of 127.0.0.1 with its unix socket in the same folder, and tuned for throwaway data (no
fsync). :meth:`Cluster.stop` stops it and removes the folder; the pytest fixture calls it at the
end of the session even when tests fail. Should the test process die without it (killed, a
hung test stopped by a timeout), a small watcher process it starts does the same.

Every test gets its own database, copied from a template migrated once per cluster
(``CREATE DATABASE … TEMPLATE``), dropped after the test.
"""
import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid

USER = "kioskpg"
ENGINE_VARIABLE = "KIOSK_TEST_ENGINE"


def engine():
    """"postgres" or "sqlite" (the default), from KIOSK_TEST_ENGINE."""
    value = os.environ.get(ENGINE_VARIABLE, "sqlite").strip().lower() or "sqlite"
    if value not in ("sqlite", "postgres"):
        raise RuntimeError(f"{ENGINE_VARIABLE} must be sqlite or postgres, got {value!r}")
    return value


def binaries():
    """The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    if found:
        return os.path.dirname(os.path.realpath(found))
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]), reverse=True):
        if os.access(os.path.join(folder, "pg_ctl"), os.X_OK):
            return folder
    raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (make test does it as root)")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _owner():
    """(user name or None, uid, gid) the cluster runs as: ourselves, or kioskpg when we are root."""
    if os.geteuid() != 0:
        return None, os.geteuid(), os.getegid()
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                       check=True, capture_output=True)
        entry = pwd.getpwnam(USER)
    return USER, entry.pw_uid, entry.pw_gid


# Waits for the test process to end, then stops its cluster and removes the folder if the test
# process could not (the folder is gone after a normal stop).
_WATCHER = """
import os, shutil, subprocess, sys, time
parent, folder, bin, user = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
if os.path.exists(os.path.join(folder, "data", "postmaster.pid")):
    command = [os.path.join(bin, "pg_ctl"), "-D", os.path.join(folder, "data"), "-m", "immediate", "-w", "stop"]
    subprocess.run((["runuser", "-u", user, "--"] if user else []) + command, capture_output=True, timeout=60)
shutil.rmtree(folder, ignore_errors=True)
"""


class Cluster:
    def __init__(self):
        self.bin = binaries()
        self.user, uid, gid = _owner()
        self.folder = tempfile.mkdtemp(prefix="kiosk-pg-")
        os.chown(self.folder, uid, gid)
        self.data = os.path.join(self.folder, "data")
        self.port = None
        self.started = False
        self._template = None

    def _run(self, *args):
        command = [os.path.join(self.bin, args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def start(self):
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        self.port = free_port()
        options = " ".join([
            f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.folder}",
            # Throwaway data: nothing needs to survive a crash of this cluster.
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=200", "-c shared_buffers=64MB",
        ])
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "log"), "-o", options, "-w", "-t", "60", "start")
        self.started = True
        atexit.register(self.stop)
        # Started without a Popen object: it outlives this process on purpose.
        os.posix_spawn(sys.executable, [sys.executable, "-c", _WATCHER, str(os.getpid()), self.folder, self.bin,
                                        self.user or ""], os.environ,
                       file_actions=[(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)],
                       setsid=True)
        return self

    def stop(self):
        if self.started:
            self.started = False
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, name):
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def execute(self, sql):
        """Run one statement outside a transaction (CREATE/DROP DATABASE) in the postgres database."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def template(self, prepare):
        """The name of a database made once by ``prepare(url)`` (a migrated schema), to copy."""
        if self._template is None:
            name = "kiosk_template"
            self.execute(f"CREATE DATABASE {name}")
            prepare(self.url(name))
            self._template = name
        return self._template

    def create_database(self, template=None):
        name = "kiosk_" + uuid.uuid4().hex[:12]
        self.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return name

    def drop_database(self, name):
        # FORCE ends the connections a test left open (pooled ones too).
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
