"""Response headers that keep the browser strict, and the settings for running behind HTTPS.

- On every page (text/html), a Content-Security-Policy that allows scripts, styles, images and fetches from the kiosk
  itself only: no inline script or style, no eval (htmx runs with allowEval off), no framing
  (``frame-ancestors 'none'``). ``'wasm-unsafe-eval'`` lets the camera reader compile its
  WebAssembly (static/vendor/zxing_reader.wasm); it does not allow JavaScript eval.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, and
  ``X-Frame-Options: DENY`` for browsers older than frame-ancestors.
- ``Cache-Control: no-store`` on every answer but the static files: the pages show names,
  balances and phone tails, the exports the whole registry. A view that chose its own caching
  (a product photo) keeps it; send_file's ``no-cache`` becomes ``no-store``. The static files'
  caching (a year under a content-hashed name) and compression are kiosk.assets'.
- KIOSK_SECURE_COOKIES=1 marks the cookies Secure (only sent over HTTPS); KIOSK_PROXY_HOPS=N
  trusts N reverse proxies in front (X-Forwarded-For/-Proto/-Host/-Port), so the client's address and
  https are seen; over HTTPS, Strict-Transport-Security is sent.
"""
from flask import request

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app):
    if app.config.get("SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = True
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    @app.after_request
    def _strict(response):
        headers = response.headers
        if response.mimetype == "text/html":
            # Pages only: a PDF opened in a new tab is shown by the browser's own viewer.
            headers.setdefault("Content-Security-Policy", CSP)
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        # send_file says no-cache (keep, but ask again): not enough for a registry export.
        if request.endpoint != "static" and headers.get("Cache-Control", "no-cache") == "no-cache":
            headers["Cache-Control"] = "no-store"
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
