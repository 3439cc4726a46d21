"""Static files under content-hashed names, cached by the browser for a year; responses compressed.

- ``url_for('static', filename='kiosk.css')`` gives ``/static/kiosk.<hash>.css``: the hash is the
  first 12 hex digits of the file's SHA-256, computed on first use and kept until the file's size
  or modification time changes (static/vendor/ files, copied in at set-up, are hashed the same way).
- A hashed URL whose hash is the file's own is sent with ``Cache-Control: public,
  max-age=31536000, immutable``: the browser never asks again, and a changed file gets a new URL.
  A hash that no longer matches (a page rendered before an upgrade) still gets the file, with
  ``no-cache`` and its ETag (revalidated each time), as does any static URL without a hash.
- Compression (flask-compress): zstd, brotli or gzip, whichever the browser prefers, for pages,
  htmx fragments, CSS, JavaScript, SVG, JSON and the camera reader's WebAssembly; never for
  images, PDFs, spreadsheets, CSV exports or backups (already compressed, or downloads kept
  byte-for-byte), nor for any streamed answer. Answers under 500 bytes stay as they are. A compressed answer's ETag carries
  the encoding (``"…:gzip"``), and conditional requests are answered after compression.
"""
import collections
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


Entry = collections.namedtuple("Entry", "mtime_ns size digest data")


class StaticFiles:
    """The files of one static folder with their content hashes, kept in memory while unchanged."""

    def __init__(self, folder):
        self.folder = folder
        self._known = {}  # filename -> Entry

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
        # Sent from memory rather than streamed from the file, so that it is compressed like a
        # page (flask-compress leaves streamed answers alone) and revalidated by its content hash.
        plain, digest = files.split(filename)
        entry = files.entry(plain)
        if entry is None:
            return missing(filename=filename)  # Flask's 404
        response = Response(entry.data, mimetype=mimetypes.guess_type(plain)[0] or "application/octet-stream")
        response.set_etag(entry.digest)
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
