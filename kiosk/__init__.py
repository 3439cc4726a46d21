"""The points supermarket kiosk (积分超市): a Flask app over a points ledger."""
import os

from flask import Flask, render_template, request, session
from flask_babel import Babel
from htmx_flask import Htmx
from htmx_flask import make_response as htmx_response

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCALES = ("zh_CN", "en")


def select_locale():
    lang = session.get("lang")
    return lang if lang in LOCALES else None


# Endpoints that work before the kiosk has a store: the first-run screen, the language switch,
# static files and the health check.
WITHOUT_STORE = ("static", "healthz", "staff.language")


def _serve_store(app):
    """Until the database holds a store, every screen leads to the first-run screen; when
    KIOSK_STORE names no store, or several stores exist and none is named, every screen says so.
    At start-up the app takes the served store's time zone."""
    import peewee
    from flask import abort, redirect, url_for

    from kiosk.db import database
    from kiosk.messages import message
    from kiosk.staff.auth import current_store, store_problem
    from kiosk.web import adopt_store_zone

    @app.before_request
    def _store_gate():
        endpoint = request.endpoint
        # The street office view (district.*) shows every store, whichever this server serves.
        if endpoint is None or endpoint in WITHOUT_STORE or endpoint.startswith(("setup.", "district.")):
            return None
        if current_store() is not None:
            return None
        problem = store_problem()
        if problem is not None:
            abort(503, description=message(problem))
        target = url_for("setup.page")
        from kiosk import web
        return htmx_response("", redirect=target) if web.is_htmx() else redirect(target)

    # The served store's zone, when the schema and the store are there already (a server
    # started before `kiosk init-db` or the first-run screen takes it when the store opens).
    from kiosk.schema import current_version

    opened = database.is_closed()
    try:
        if opened:
            database.connect()
        if current_version() is not None:
            with app.test_request_context():
                adopt_store_zone(app, current_store())
    except peewee.DatabaseError:
        pass  # an unreachable database is reported by the first request
    finally:
        if opened and not database.is_closed():
            database.close()


def _private_files(app):
    """The instance folder 0700, the database, keys and backup copies 0600 (kiosk.filemodes)."""
    from kiosk import db, filemodes
    from kiosk.backup.service import folder_for

    url = db.database_url(app.config.get("DATABASE_URL"), app.instance_path)
    path = url.split("://", 1)[1][1:] if url.startswith("sqlite") else ""
    if os.path.isdir(app.instance_path):
        filemodes.tighten(app.instance_path, os.path.abspath(path) if path and path != ":memory:" else None,
                          str(folder_for(app.instance_path, app.config.get("BACKUP_DIR", ""))))


def create_app(config=None):
    """Build the app. ``config`` overrides settings (tests pass INSTANCE_PATH, DATABASE_URL…).

    Raises kiosk.config.SettingError for a bad KIOSK_* value and kiosk.keys.MissingKeys when
    `kiosk init-db` has not run yet.
    """
    from kiosk import config as settings
    from kiosk import db, keys, web
    from kiosk.printing.setup import init_app as init_devices

    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("KIOSK_INSTANCE_PATH") or os.path.join(ROOT, "instance")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.update(settings.from_environment())
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        BABEL_TRANSLATION_DIRECTORIES=os.path.join(os.path.dirname(__file__), "translations"),
    )
    app.config.update(config)
    if "SECRET_KEY" not in config:
        app.config.update(keys.load(app.instance_path))

    Htmx(app)
    Babel(app, locale_selector=select_locale)
    db.init_app(app)
    _private_files(app)
    from kiosk import assets, headers, limits
    assets.init_app(app)  # first, so that its compression runs after every other after_request
    headers.init_app(app)
    limits.init_app(app)  # before web's CSRF check, which reads the form
    web.init_app(app)
    init_devices(app)
    from kiosk.scanning.setup import init_app as init_scanner
    init_scanner(app)

    from kiosk.staff import auth
    auth.init_app(app)
    # The street office's session (kiosk/district): its users reach /district/ only.
    from kiosk.district.auth import init_app as init_district
    init_district(app)
    # The partner screen's session (kiosk/vouchers): partners reach /partner/ only.
    from kiosk.vouchers.partner_auth import init_app as init_partners
    init_partners(app)
    from kiosk.expiry import display as expiry_display
    expiry_display.init_app(app)

    from kiosk.backup.views import bp as backup_bp
    from kiosk.cards.views import bp as passbook_bp
    from kiosk.checkout.returns_views import bp as returns_bp
    from kiosk.checkout.views import bp as cashier_bp
    from kiosk.earning.views import bp as earning_bp
    from kiosk.expiry.views import bp as expiry_bp
    from kiosk.goods.views import bp as goods_bp
    from kiosk.inventory.views import bp as products_bp
    from kiosk.notice.views import bp as notice_bp
    from kiosk.printing.views import bp as printing_bp
    from kiosk.redemption.views import bp as redemption_bp
    from kiosk.registry.import_views import bp as registry_import_bp
    from kiosk.registry.views import bp as registry_bp
    from kiosk.rulesheets.views import bp as rulesheets_bp
    from kiosk.scanning.views import bp as scanning_bp
    from kiosk.staff.admin_views import bp as staff_admin_bp
    from kiosk.staff.audit_views import bp as audit_bp
    from kiosk.staff.views import bp as staff_bp
    from kiosk.stocktake.views import bp as stocktake_bp
    from kiosk.setup.views import bp as setup_bp
    from kiosk.stores.views import bp as settings_bp
    from kiosk.volunteer.views import bp as volunteer_import_bp
    # The store manager's screens for earning rules and goods categories.
    from kiosk.earning.rules_views import bp as rules_bp
    from kiosk.inventory.category_views import bp as categories_bp
    # The day close (交班 / 日结).
    from kiosk.dayclose.views import bp as dayclose_bp
    # Reports and exports (kiosk/reports).
    from kiosk.reports.views import bp as reports_bp
    # The street office (街道) view.
    from kiosk.district.views import bp as district_bp
    # Partners (合作商家): the manager's /partners/ and the partner screen /partner/.
    from kiosk.vouchers.partner_views import admin_bp as partner_admin_bp
    from kiosk.vouchers.partner_views import bp as partner_bp

    for blueprint in (
        staff_bp, cashier_bp, returns_bp, printing_bp, registry_bp, registry_import_bp, passbook_bp, settings_bp,
        scanning_bp, earning_bp, volunteer_import_bp, expiry_bp, notice_bp, redemption_bp, products_bp, goods_bp,
        stocktake_bp, setup_bp, staff_admin_bp, audit_bp, backup_bp, rulesheets_bp, rules_bp, categories_bp,
        dayclose_bp,
        reports_bp,
        district_bp,
        partner_admin_bp, partner_bp,
    ):
        app.register_blueprint(blueprint)

    _serve_store(app)

    @app.get("/healthz")
    def healthz():
        """Liveness for monitoring; also the trivial endpoint bench/ measures against."""
        return {"ok": True}

    @app.errorhandler(400)
    def _bad_request(error):
        # A form without a valid CSRF token comes from a page older than the session (a
        # restart, a new sign-in): reload it rather than act on it.
        from flask import flash
        from flask_babel import gettext
        message = gettext("This page is out of date. Please check and try again.")
        if web.is_htmx():
            flash(message, "error")
            return htmx_response("", 400, refresh=True)
        return render_template("error.html", message=message), 400

    @app.errorhandler(503)
    def _no_store(error):
        return render_template("error.html", message=error.description), 503

    @app.errorhandler(404)
    def _not_found(error):
        from flask_babel import gettext
        return render_template("error.html", message=gettext("Page not found.")), 404

    from kiosk.a4 import PdfUnavailable

    @app.errorhandler(PdfUnavailable)
    def _no_pdf(error):
        # Any A4 document on a computer without WeasyPrint's libraries: say what to install.
        from flask_babel import gettext
        app.logger.error("%s", error)
        return render_template("error.html", message=gettext(
            "The PDF cannot be made on this computer: %(reason)s", reason=str(error))), 500

    @app.context_processor
    def _context():
        from kiosk.staff.auth import current_staff, current_store
        return {"current_staff": current_staff(), "store": current_store(), "lang": select_locale() or app.config["BABEL_DEFAULT_LOCALE"], "request_path": request.path}

    return app
