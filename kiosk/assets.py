"""Static files under content-hashed names, cached by the browser for a year; responses compressed.

- ``url_for('static', filename='kiosk.css')`` gives ``/static/kiosk.<hash>.css``: the hash is the
  first 12 hex digits of the file's SHA-256, computed on first use and kept until the file's size
  or modification time changes (static/vendor/ files, copied in at set-up, are hashed the same way).
- A hashed URL whose hash is the file's own is sent with ``Cache-Control: public,
  max-age=31536000, immutable``: the browser never asks again, and a changed file gets a new URL.
  A hash that no longer matches (a page rendered before an upgrade) still gets the file, with
  ``no-cache`` and its ETag (revalidated each time), as does any static URL without a hash.
- Compression, for a browser that accepts it, of pages, htmx fragments, CSS, JavaScript, SVG,
  JSON and the camera reader's WebAssembly; never of images, PDFs, spreadsheets, CSV exports or
  backups (already compressed, or downloads kept byte for byte), nor of streamed answers or
  answers under 500 bytes. Pages and fragments go through flask-compress (brotli, zstd or gzip, at
  levels that take about a millisecond); a static file is compressed once per encoding at the
  strongest level and kept with the file. A compressed answer's ETag carries its encoding
  (``"<hash>:gzip"``: other bytes, another tag), and conditional requests are answered on it.
"""
import collections
import gzip
import hashlib
import mimetypes
import os
import re

from flask import Response, request
from werkzeug.security import safe_join

DIGITS = 12
YEAR = 31536000
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{%d})(?P<ext>\.[A-Za-z0-9]+)$" % DIGITS)
COMPRESSED_TYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "application/wasm", "text/plain",
]
MIN_SIZE = 500
# In the server's order of preference when the browser accepts several (smallest first).
ENCODINGS = ("br", "zstd", "gzip")
# Above this size a static file is compressed at a quicker level: brotli's strongest takes
# seconds on the camera reader's WebAssembly (930 KB), which the first camera scan would wait for.
LARGE = 256 * 1024

Entry = collections.namedtuple("Entry", "mtime_ns size digest data")


def zstd():
    """Python's zstd module (3.14), or its backport that flask-compress brings before that."""
    try:
        from compression import zstd
    except ImportError:
        from backports import zstd
    return zstd


def compress(data, encoding):
    """``data`` compressed for Content-Encoding ``encoding`` (br, zstd or gzip), for keeping."""
    large = len(data) > LARGE
    if encoding == "br":
        import brotli
        return brotli.compress(data, quality=6 if large else 11)
    if encoding == "zstd":
        return zstd().compress(data, 12 if large else 19)
    if encoding == "gzip":
        return gzip.compress(data, 9, mtime=0)
    raise ValueError(encoding)


def accepted_encoding(header):
    """The first of ENCODINGS that an Accept-Encoding header allows (q > 0), or None."""
    allowed = {}
    for part in (header or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = re.search(r"q\s*=\s*([0-9.]+)", params)
        try:
            allowed[name.strip()] = float(quality.group(1)) if quality else 1.0
        except ValueError:
            allowed[name.strip()] = 0.0
    for encoding in ENCODINGS:
        if allowed.get(encoding, allowed.get("*", 0.0)) > 0:
            return encoding
    return None


class StaticFiles:
    """The files of one static folder with their content hashes, kept in memory while unchanged."""

    def __init__(self, folder):
        self.folder = folder
        self._known = {}  # filename -> Entry
        self._compressed = {}  # (digest, encoding) -> bytes

    def entry(self, filename):
        """The Entry of ``filename`` (a path under the folder) as it is now, or None for no such file."""
        path = safe_join(self.folder, filename)
        if path is None or not os.path.isfile(path):
            return None
        stat = os.stat(path)
        entry = self._known.get(filename)
        if entry is None or (entry.mtime_ns, entry.size) != (stat.st_mtime_ns, stat.st_size):
            with open(path, "rb") as file:
                data = file.read()
            entry = Entry(stat.st_mtime_ns, stat.st_size, hashlib.sha256(data).hexdigest()[:DIGITS], data)
            self._known[filename] = entry
        return entry

    def compressed(self, entry, encoding):
        """The entry's bytes compressed for ``encoding``, made once."""
        key = (entry.digest, encoding)
        if key not in self._compressed:
            self._compressed[key] = compress(entry.data, encoding)
        return self._compressed[key]

    def hashed_name(self, filename):
        """``kiosk.css`` -> ``kiosk.<hash>.css``; a missing file or one without an extension keeps its name."""
        stem, ext = os.path.splitext(filename)
        entry = self.entry(filename) if ext and stem and not stem.endswith("/") else None
        return f"{stem}.{entry.digest}{ext}" if entry else filename

    def split(self, filename):
        """(plain name, hash) for a hashed name of an existing file; (filename, None) for any other."""
        match = HASHED.match(filename)
        if match is None or self.entry(filename) is not None:
            return filename, None  # not hashed, or a real file that happens to look hashed
        plain = match["stem"] + match["ext"]
        return (plain, match["hash"]) if self.entry(plain) is not None else (filename, None)


def init_app(app):
    from flask_compress import Compress

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    app.config.setdefault("COMPRESS_ALGORITHM", [*ENCODINGS, "deflate"])
    # Measured on the cashier page (19 KB): brotli 5 and zstd 9 are as small as gzip 9 and take
    # about a millisecond; their defaults (4 and 3) come out larger than gzip.
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_ZSTD_LEVEL", 9)
    # Streamed answers (send_file's downloads: backups, exports) are left as they are.
    app.config.setdefault("COMPRESS_STREAMS", False)
    Compress(app)

    files = StaticFiles(app.static_folder)
    app.extensions["kiosk.static_files"] = files
    missing = app.view_functions["static"]

    @app.url_defaults
    def _hashed_static_urls(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.hashed_name(values["filename"])

    def static(filename):
        plain, digest = files.split(filename)
        entry = files.entry(plain)
        if entry is None:
            return missing(filename=filename)  # Flask's 404
        mimetype = mimetypes.guess_type(plain)[0] or "application/octet-stream"
        encoding = None
        if mimetype in COMPRESSED_TYPES and entry.size >= MIN_SIZE:
            encoding = accepted_encoding(request.headers.get("Accept-Encoding"))
        response = Response(files.compressed(entry, encoding) if encoding else entry.data, mimetype=mimetype)
        response.vary.add("Accept-Encoding")
        if encoding:
            response.headers["Content-Encoding"] = encoding  # flask-compress leaves it alone
        response.set_etag(f"{entry.digest}:{encoding}" if encoding else entry.digest)
        if digest == entry.digest:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
        else:
            # No hash, or an older page's link to a file changed since (an upgrade): the file as
            # it is now, asked again each time.
            response.cache_control.no_cache = True
        return response.make_conditional(request)

    app.view_functions["static"] = static
