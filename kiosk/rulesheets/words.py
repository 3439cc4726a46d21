"""The two sheets in the reader's language (Flask-Babel; needs an app context, no request):
turns ``kiosk.rulesheets.service``'s data into the ``pdf.Sheet`` the PDF prints."""
from flask_babel import format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l

from kiosk.earning.models import MONTH, QUARTER, YEAR
from kiosk.redemption import labels as redemption_labels
from kiosk.rulesheets.pdf import Row, Section, Sheet

NONE = "—"
# A deduction rule's occurrences before its Nth in a calendar period are recorded warnings (劝导).
WARNINGS = {
    MONTH: _l("The first %(count)s times in a month are warnings; points are deducted from time %(nth)s"),
    QUARTER: _l("The first %(count)s times in a quarter are warnings; points are deducted from time %(nth)s"),
    YEAR: _l("The first %(count)s times in a year are warnings; points are deducted from time %(nth)s"),
}


def _language():
    locale = get_locale()
    return "zh-CN" if locale is None or locale.language == "zh" else str(locale).replace("_", "-")


def _points(points, sign=False):
    return (f"{points:+d}" if sign else str(points)) + " " + gettext("pts")


def _dated(day):
    return gettext("As of %(day)s", day=format_date(day, "long"))


def _rule_notes(line):
    notes = []
    if line.cap_year:
        notes.append(gettext("At most %(points)s points a year", points=line.cap_year))
    if line.warnings:  # only deductions count occurrences (kiosk.earning.service._check_rule)
        text = WARNINGS.get(line.occurrence_period, WARNINGS[YEAR])
        notes.append(str(text) % {"count": line.warnings, "nth": line.warnings + 1})
    if line.linked_share:
        notes.append(gettext("The paired party member also earns %(share)s%%", share=line.linked_share))
    return gettext("; ").join(notes) or NONE


def earning(sheet):
    """The earning rules sheet (积分细则) of a ``service.EarningSheet``."""
    sections = tuple(
        Section(group.name, tuple(
            Row((line.name,
                 _points(line.points, sign=True),
                 gettext("per 30 minutes") if line.per_half_hour else gettext("each time"),
                 _points(line.cap_month) if line.cap_month else NONE,
                 _rule_notes(line)),
                deduction=line.deduction)
            for line in group.lines))
        for group in sheet.groups)
    intro = [(gettext("Earning points"), gettext(
        "Points are granted when a reviewer approves the service record; a service counted by the half hour "
        "starts at 30 minutes."))]
    if sheet.has_deductions:
        if sheet.objection_days:
            text = gettext("A deduction takes effect %(days)s days after it is approved; until then the resident may "
                           "object at the kiosk or at the service desk.", days=sheet.objection_days)
        else:
            text = gettext("A deduction takes effect when it is approved.")
        intro.append((gettext("Deductions"), text))
    return Sheet(
        kind="earning", title=gettext("Points earning rules"), store_name=sheet.store_name, dated=_dated(sheet.day),
        columns=(gettext("Service or conduct"), gettext("Points"), gettext("Points counted"), gettext("Monthly cap"), gettext("Notes")),
        sections=sections, intro=tuple(intro), empty=gettext("No earning rule is in force."),
        badge=gettext("Deduction"), points_column=1, page=_page_label(), language=_language(),
    )


def redemption(sheet):
    """The redemption rules sheet (兑换细则) of a ``service.RedemptionSheet``."""
    sections = tuple(
        Section(group.name, tuple(
            Row((line.name,
                 _points(line.points),
                 line.unit,
                 redemption_labels.describe_limit(line.limit) if line.limit is not None else NONE))
            for line in group.lines))
        for group in sheet.groups)
    intro = [(gettext("Redemption times"), redemption_labels.describe_window(sheet.window))]
    if sheet.openings and not sheet.window.always:
        openings = gettext("; ").join(redemption_labels.describe_opening(start, end) for start, end in sheet.openings)
        intro.append((gettext("Next openings"), openings))
    if sheet.has_limits:
        if sheet.account_mode == "household":
            text = gettext("A limit counts what one household's points account redeems in the calendar month, quarter "
                           "or year; a limit per member is multiplied by the household's members.")
        else:
            text = gettext("A limit counts what one resident's points account redeems in the calendar month, quarter "
                           "or year.")
        intro.append((gettext("About limits"), text))
    return Sheet(
        kind="redemption", title=gettext("Redemption rules"), store_name=sheet.store_name, dated=_dated(sheet.day),
        columns=(gettext("Goods"), gettext("Points"), gettext("Unit of sale"), gettext("Purchase limit")),
        sections=sections, intro=tuple(intro), empty=gettext("Nothing is on sale."),
        points_column=1, page=_page_label(), language=_language(),
    )


def _page_label():
    return gettext("Page %(number)s of %(pages)s", number="{page}", pages="{pages}")
