"""Every answer carries a strict Content-Security-Policy and its companions; pages and exports
are not cached; the templates need no inline script or style; HTTPS settings."""
import pathlib
import re

import pytest

from kiosk import create_app

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "templates"


def csp(response):
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("url", ["/signin", "/passbook/", "/nowhere"])
def test_every_page_has_a_strict_policy(client, url):
    response = client.get(url)
    policy = csp(response)
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_files_are_not_sniffed(operations):
    for url in ("/static/kiosk.css", "/registry/export.csv"):
        response = operations.get(url)
        response.close()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_and_exports_are_not_cached_but_static_files_are(operations):
    assert operations.get("/registry/").headers["Cache-Control"] == "no-store"
    for url, cached in [("/registry/export.csv", False), ("/static/kiosk.css", True)]:
        response = operations.get(url)
        response.close()
        assert ("no-store" not in response.headers["Cache-Control"]) == cached


def test_no_template_has_inline_script_style_or_event_handlers():
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] in ("rulesheets", "a4"):
            continue  # laid out as PDF by WeasyPrint, never shown by a browser
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<style", html), path
        assert not re.search(r"""\sstyle=["']""", html), path
        assert not re.search(r"""\son[a-z]+=["']""", html), path
        assert "[!" not in html and "js:" not in html and "hx-on" not in html, path  # htmx eval


def test_secure_cookies_and_a_trusted_proxy(world, instance, monkeypatch, database_url):
    monkeypatch.setenv("KIOSK_SECURE_COOKIES", "1")
    monkeypatch.setenv("KIOSK_PROXY_HOPS", "1")
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database_url,
                      "TESTING": True, "STORE_CODE": "XY"})
    client = app.test_client()
    response = client.get("/signin", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"},
                          base_url="http://kiosk.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    page = client.get("/signin/1", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in page.headers["Set-Cookie"]
    assert app.config["SESSION_COOKIE_SECURE"] is True
