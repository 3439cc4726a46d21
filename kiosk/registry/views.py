"""The registry screens (办卡) for operations staff: find, register and edit households and
residents, issue cards, report them lost and reissue them."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from kiosk.cards import service as cards
from kiosk.cards.models import Card
from kiosk.cards.render import card_png as render_png
from kiosk.checkout.service import document_names
from kiosk.errors import KioskError
from kiosk.expiry.service import value_text
from kiosk.ledger import service as ledger
from kiosk.ledger.models import Account
from kiosk.ledger.statement import period_bounds, statement_for
from kiosk.ledger.statement import statement_pdf as render_pdf
from kiosk.messages import message
from kiosk.printing import service as printing
from kiosk.printing.problems import printer_problem
from kiosk.printing.receipts import statement_labels
from kiosk.printing.setup import kick
from kiosk.registry import service as registry
from kiosk.registry.models import Household, Resident
from kiosk.staff.auth import current_staff, current_store, requires_role
from kiosk.staff.models import MANAGER, OPERATIONS
from kiosk.web import form_int, render

bp = Blueprint("registry", __name__, url_prefix="/registry")
operations_only = requires_role(OPERATIONS, MANAGER)

HOUSEHOLD_FIELDS = ("community", "building", "unit", "room", "members", "phone")


def _household(household_id):
    household = Household.get_or_none(Household.id == household_id, Household.store == current_store())
    if household is None:
        abort(404)
    return household


def _resident(resident_id):
    resident = Resident.get_or_none(Resident.id == resident_id, Resident.store == current_store())
    if resident is None:
        abort(404)
    return resident


def _card(card_id):
    card = Card.get_or_none(Card.id == card_id, Card.store == current_store())
    if card is None:
        abort(404)
    return card


@bp.get("/")
@operations_only
def page():
    text = request.args.get("q", "")
    found = registry.search(current_store(), text)
    return render("registry/page.html", "registry/_results.html", q=text, residents=found)


@bp.route("/households/new", methods=["GET", "POST"])
@operations_only
def new_household():
    values = {name: request.form.get(name, "") for name in HOUSEHOLD_FIELDS}
    if request.method == "POST":
        try:
            household = registry.register_household(current_store(), staff=current_staff(), **values)
        except KioskError as exc:
            return render_template("registry/household_form.html", values=values, error=message(exc)), 422
        flash(gettext("Household registered. Now add its residents."), "success")
        return redirect(url_for("registry.household", household_id=household.id))
    values["community"] = request.args.get("community", "")
    return render_template("registry/household_form.html", values=values, error=None)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@operations_only
def edit_household(household_id):
    household = _household(household_id)
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in HOUSEHOLD_FIELDS}
        try:
            registry.update_household(household, staff=current_staff(), **values)
        except KioskError as exc:
            return render_template("registry/household_form.html", household=household, values=values,
                                   error=message(exc)), 422
        flash(gettext("Saved."), "success")
        return redirect(url_for("registry.household", household_id=household.id))
    values = {name: getattr(household, name) for name in HOUSEHOLD_FIELDS}
    return render_template("registry/household_form.html", household=household, values=values, error=None)


def _household_page(household, *, resident_values=None, error=None, status=200):
    """The household page: residents with their cards, accounts with their latest entries."""
    residents, accounts, household_cards = registry.household_summary(household)
    history = {account.id: list(ledger.history(account.id, limit=10)) for account in accounts}
    member_query = request.args.get("member_q", "").strip()[:50]
    members = [r for r in registry.search(current_store(), member_query, limit=8) if r.household_id != household.id] \
        if member_query else []
    return render_template(
        "registry/household.html", household=household, residents=residents, accounts=accounts,
        cards=household_cards, history=history, resident_values=resident_values or {}, error=error,
        pairing=registry.current_pairing(household), member_query=member_query, members=members,
    ), status


@bp.get("/households/<int:household_id>")
@operations_only
def household(household_id):
    return _household_page(_household(household_id))


@bp.post("/households/<int:household_id>/pairing")
@operations_only
def pair(household_id):
    household = _household(household_id)
    try:
        if request.form.get("end"):
            registry.unpair(current_store(), household, staff=current_staff())
            flash(gettext("The pairing has ended."), "success")
        else:
            member_id = form_int("member_id")
            pairing = registry.pair(current_store(), household, member_id if member_id is not None else -1,
                                    staff=current_staff())
            flash(gettext("Paired with party member %(name)s.", name=pairing.member.name), "success")
    except KioskError as exc:
        flash(message(exc), "error")
    return redirect(url_for("registry.household", household_id=household.id))


@bp.post("/households/<int:household_id>/residents")
@operations_only
def add_resident(household_id):
    household = _household(household_id)
    values = {name: request.form.get(name, "") for name in ("name", "phone", "id_number")}
    try:
        registry.register_resident(current_store(), household, staff=current_staff(), **values)
    except KioskError as exc:
        return _household_page(household, resident_values=values, error=message(exc), status=422)
    flash(gettext("Resident added."), "success")
    return redirect(url_for("registry.household", household_id=household.id))


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
@operations_only
def edit_resident(resident_id):
    resident = _resident(resident_id)
    values = {"name": resident.name, "phone": resident.phone or ""}
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in ("name", "phone")}
        id_number = request.form.get("id_number", "").strip() or None
        try:
            registry.update_resident(resident, staff=current_staff(), id_number=id_number, **values)
        except KioskError as exc:
            return render_template("registry/resident_form.html", resident=resident, values=values,
                                   error=message(exc)), 422
        flash(gettext("Saved."), "success")
        return redirect(url_for("registry.household", household_id=resident.household_id))
    return render_template("registry/resident_form.html", resident=resident, values=values, error=None)


@bp.post("/residents/<int:resident_id>/cards")
@operations_only
def issue_card(resident_id):
    resident = _resident(resident_id)
    try:
        card = cards.issue_card(current_store(), resident, registry.account_of(resident), staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Card %(number)s issued to %(name)s.", number=card.number, name=resident.name), "success")
    return redirect(url_for("registry.household", household_id=resident.household_id))


@bp.post("/cards/<int:card_id>/lost")
@operations_only
def report_lost(card_id):
    card = _card(card_id)
    try:
        cards.report_lost(card, staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Card %(number)s reported lost. It can no longer be used.", number=card.number), "success")
    return redirect(url_for("registry.household", household_id=card.account.household_id))


@bp.post("/cards/<int:card_id>/reissue")
@operations_only
def reissue(card_id):
    card = _card(card_id)
    try:
        new = cards.reissue(card, staff=current_staff())
    except KioskError as exc:
        flash(message(exc), "error")
    else:
        flash(gettext("Card %(number)s issued in place of %(old)s; the balance is unchanged.",
                      number=new.number, old=card.number), "success")
    return redirect(url_for("registry.household", household_id=card.account.household_id))


@bp.get("/cards/<int:card_id>.png")
@operations_only
def card_png(card_id):
    """The card as a print-ready PNG (CR80 at 300 dpi), for the desk's card printer."""
    card = _card(card_id)
    try:
        cards.check_active(card)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(url_for("registry.household", household_id=card.account.household_id))
    store = current_store()
    payload = cards.card_payload(store.code, card.number, current_app.config["CARD_SIGNING_KEY"])
    png = render_png(card, store, payload, mask=not store.card_full_name)
    return Response(png, mimetype="image/png",
                    headers={"Content-Disposition": f'inline; filename="card-{card.number}.png"'})


def _statement(account_id):
    """The Statement the form asks for; raises KioskError("bad_period")."""
    store = current_store()
    account = Account.get_or_none(Account.id == account_id, Account.store == store)
    if account is None:
        abort(404)
    tz_name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    today = datetime.now(ZoneInfo(tz_name)).date()
    try:
        day_from = date.fromisoformat(request.form["from"]) if request.form.get("from") else None
        day_to = date.fromisoformat(request.form["to"]) if request.form.get("to") else None
    except ValueError:
        raise KioskError("bad_period") from None
    day_from, day_to = period_bounds(request.form.get("period", ""), today, day_from, day_to)
    return account, statement_for(account, store, day_from, day_to, tz_name=tz_name, labels=statement_labels(),
                                  value=lambda points: value_text(points, store, printed=True),
                                  names=document_names)


@bp.post("/accounts/<int:account_id>/statement.pdf")
@operations_only
def statement_pdf(account_id):
    """An A4 PDF statement of the account for the chosen period."""
    try:
        account, statement = _statement(account_id)
    except KioskError as exc:
        return render_template("error.html", message=message(exc)), 422
    pdf = render_pdf(statement, headings=(gettext("Date"), gettext("What for"), gettext("Points"), gettext("Balance")))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{account.id}-{statement.period_from}-{statement.period_to}.pdf"',
    })


@bp.post("/accounts/<int:account_id>/statement/print")
@operations_only
def statement_print(account_id):
    """The statement on the receipt printer, through the print queue."""
    try:
        account, statement = _statement(account_id)
    except KioskError as exc:
        flash(message(exc), "error")
        return redirect(request.referrer or url_for("registry.page"))
    job = printing.enqueue(statement, store=current_store(), staff=current_staff())
    job = kick(current_store(), wait_for=job)
    if job.status == "printed":
        flash(gettext("Statement printed."), "success")
    elif job.error:
        flash(gettext("Statement not printed: %(error)s", error=printer_problem(job.error)), "error")
    else:
        flash(gettext("Statement sent to the printer."), "success")
    return redirect(url_for("registry.household", household_id=account.household_id) if account.household_id
                    else url_for("registry.page"))
