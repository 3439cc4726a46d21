"""Page weight (kiosk.assets): static files under content-hashed URLs that the browser keeps a year,
responses compressed for a browser that accepts it, pages still never cached, downloads untouched."""
import gzip
import re

import pytest

from kiosk.assets import StaticFiles, accepted_encoding
from tests.helpers import body

IMMUTABLE = "public, max-age=31536000, immutable"
GZIP = {"Accept-Encoding": "gzip"}


def static_urls(html):
    """Every static file the page refers to: stylesheets, scripts and the camera reader's files."""
    return re.findall(r'(?:href|src|data-reader-src|data-wasm-src)="(/static/[^"]+)"', html)


def test_the_cashier_page_names_each_static_file_by_its_content_hash(cashier, client):
    urls = static_urls(body(cashier.get("/cashier/")))
    assert "/static/kiosk.css" not in urls
    names = [url.rsplit("/", 1)[1] for url in urls]
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", name) for name in names} >= {
        "kiosk.css", "htmx.min.js", "onscan.min.js", "scanner.js", "kiosk.js", "zxing-reader.js", "zxing_reader.wasm"}
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js|wasm)$", name) for name in names), names
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url


def test_a_hashed_file_is_the_file_itself_and_its_hash_follows_its_content(cashier, client, app):
    url = next(u for u in static_urls(body(cashier.get("/cashier/"))) if "/kiosk." in u and u.endswith(".css"))
    with open(app.static_folder + "/kiosk.css", "rb") as file:
        assert client.get(url).get_data() == file.read()


def test_a_changed_file_gets_a_new_name_and_its_old_name_is_no_longer_immutable(tmp_path):
    (tmp_path / "app.js").write_text("one()")
    files = StaticFiles(str(tmp_path))
    first = files.hashed_name("app.js")
    assert re.fullmatch(r"app\.[0-9a-f]{12}\.js", first)
    assert files.split(first) == ("app.js", first.split(".")[1])
    (tmp_path / "app.js").write_text("two(); three()")
    second = files.hashed_name("app.js")
    assert second != first
    assert files.split(first)[1] != files.entry("app.js").digest
    assert files.hashed_name("missing.js") == "missing.js"


@pytest.mark.parametrize("header, chosen", [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("zstd, gzip", "zstd"), ("br;q=0, gzip", "gzip"),
    ("gzip;q=0", None), ("identity", None), ("", None), (None, None), ("*", "br"), ("*, br;q=0", "zstd"),
    ("gzip;q=abc", "gzip"),  # a malformed weight is ignored, as flask-compress does
])
def test_the_encoding_of_a_static_file_follows_accept_encoding(header, chosen):
    assert accepted_encoding(header) == chosen


def test_a_static_file_is_sent_in_the_encoding_the_browser_accepts(client):
    # deflate alone: flask-compress compresses it on the way out.
    for header, encoding in (("br", "br"), ("zstd", "zstd"), ("gzip;q=0, deflate", "deflate"), ("identity", None)):
        response = client.get("/static/kiosk.css", headers={"Accept-Encoding": header})
        assert response.headers.get("Content-Encoding") == encoding, header
        assert "Accept-Encoding" in response.headers["Vary"]


def test_an_unhashed_or_outdated_static_url_is_revalidated_each_time(client):
    for url in ("/static/kiosk.css", "/static/kiosk.000000000000.css"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url
        assert response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304, url
    assert client.get("/static/nowhere.000000000000.css").status_code == 404
    assert client.get("/static/../kiosk/__init__.py").status_code == 404


def test_a_page_is_sent_gzipped_to_a_browser_that_accepts_it_and_is_still_never_cached(cashier):
    plain = cashier.get("/cashier/")
    packed = cashier.client.get("/cashier/", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "HX-Request" in packed.headers["Vary"]
    html = gzip.decompress(packed.get_data()).decode()
    assert 'id="scan-form"' in html
    assert int(packed.headers["Content-Length"]) < len(plain.get_data()) / 3
    for response in (plain, packed):
        assert response.headers["Cache-Control"] == "no-store"
        assert "script-src 'self' 'wasm-unsafe-eval'" in response.headers["Content-Security-Policy"]


def test_a_hashed_stylesheet_is_gzipped_immutable_and_answered_304_by_its_encoded_etag(cashier, client, app):
    url = next(u for u in static_urls(body(cashier.get("/cashier/"))) if u.endswith(".css") and "/kiosk." in u)
    response = client.get(url, headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == IMMUTABLE
    with open(app.static_folder + "/kiosk.css", "rb") as file:
        assert gzip.decompress(response.get_data()) == file.read()
    etag = response.headers["ETag"]
    assert etag.endswith(':gzip"')  # the compressed bytes are another representation
    assert client.get(url, headers={**GZIP, "If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200  # not the same bytes


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_brotli_and_zstd_when_the_browser_prefers_them(cashier, encoding):
    response = cashier.client.get("/cashier/", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding


def test_an_htmx_fragment_is_compressed_and_keeps_its_htmx_headers(cashier, world):
    plain = cashier.post("/cashier/scan", {"code": world.payload("张建华")})
    packed = cashier.client.post("/cashier/scan", data={"code": world.payload("张建华")},
                                 headers={**GZIP, "HX-Request": "true", "X-CSRF-Token": cashier.token()})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(packed.get_data()).decode()
    assert html.lstrip().startswith('<aside id="register"') and body(plain).lstrip().startswith('<aside id="register"')
    assert {k: v for k, v in packed.headers if k.startswith("HX-")} == {k: v for k, v in plain.headers if k.startswith("HX-")}


def test_images_spreadsheets_and_csv_exports_are_sent_as_they_are(operations, manager, world):
    card = world.cards["张建华"]
    for session, url in ((operations, "/registry/export.csv"), (manager, "/settings/audit/export.xlsx"),
                         (operations, f"/registry/cards/{card.id}.png")):
        plain = session.get(url)
        packed = session.client.get(url, headers={"Accept-Encoding": "gzip, br, zstd"})
        assert packed.status_code == 200, url
        assert "Content-Encoding" not in packed.headers, url
        assert packed.get_data() == plain.get_data(), url
        assert packed.headers["Cache-Control"] == "no-store", url
        plain.close()
        packed.close()
