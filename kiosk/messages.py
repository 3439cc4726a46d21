"""Every refusal a service can raise, as a sentence in the user's language.

Services raise KioskError(code, **params); only this module turns the code into words.
"""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

MESSAGES = {
    "invalid_scan": _l("Could not read that scan. Please scan again."),
    "forged_card": _l("Invalid card."),
    "foreign_card": _l("Invalid card: it belongs to another store."),
    "unknown_card": _l("Card not found."),
    "card_lost": _l("This card has been reported lost. Please see the operations staff to reissue it."),
    "card_revoked": _l("This card has been revoked. Please see the operations staff."),
    "card_in_progress": _l("Finish or cancel the current redemption before scanning another card."),
    "product_barcode_no_card": _l("That is a product barcode. Please scan a points card first."),
    "unknown_barcode": _l("No product of this store has that barcode."),
    "bad_quantity": _l("The quantity must be a whole number from 1 to %(max)s."),
    "empty_cart": _l("The cart is empty."),
    "no_card": _l("Please scan a points card first."),
    "product_unavailable": _l("%(name)s is no longer on sale."),
    "unknown_product": _l("Product not found."),
    "out_of_stock": _l("Not enough stock of %(name)s: %(available)s left."),
    "insufficient_points": _l("Not enough points: the balance is %(balance)s, this needs %(needed)s."),
    "price_changed": _l("Prices changed since this page was shown. Please check the cart."),
    "stale_page": _l("This page is out of date. Please check and try again."),
    "too_many_lines": _l("At most %(max)s different goods in one redemption."),
    "unknown_account": _l("Account not found."),
    "unknown_receipt": _l("Receipt not found."),
    "nothing_to_refund": _l("Choose at least one item to return."),
    "not_a_manager": _l("A store manager must approve a return."),
    "manager_pin_wrong": _l("The manager PIN is wrong."),
    "over_refund": _l("Cannot return more than was sold: %(available)s of %(name)s can still be returned."),
    "unknown_staff": _l("Please choose your name first."),
    "wrong_pin": _l("Wrong PIN. %(remaining)s tries left."),
    "staff_locked": _l("Too many wrong PINs. Try again in %(minutes)s minutes."),
    "bad_pin_format": _l("A PIN is 4 to 8 digits."),
    "unknown_print_job": _l("That receipt is not in the print queue."),
    "forbidden": _l("Your role cannot use this screen."),
    "missing_field": _l("Please fill in %(field)s."),
    "too_long": _l("%(field)s is too long: at most %(max)s characters."),
    "bad_members": _l("The number of members must be a whole number from 1 to 50."),
    "bad_phone": _l("That is not a phone number."),
    "bad_id_number": _l("That is not an ID card number."),
    "duplicate_household": _l("A household with this address is already registered."),
    "duplicate_phone": _l("Another resident already has the phone number ending %(phone)s."),
    "card_still_active": _l("Card %(number)s is still in use: report it lost before reissuing it."),
    "card_already_reissued": _l("Card %(number)s has been reissued already."),
    "unknown_household": _l("Household not found."),
    "unknown_resident": _l("Resident not found."),
    "bad_account_mode": _l("Choose how points accounts are kept."),
    "bad_printer_url": _l("This printer address cannot be used: %(error)s"),
    "duplicate_rule": _l("A rule with the code %(code)s already exists."),
    "bad_rule": _l("Check the rule: points must be a whole number other than 0, caps above 0, and the end date after the start."),
    "unknown_rule": _l("That rule is not in the catalog."),
    "rule_inactive": _l("The rule %(name)s does not apply on that date."),
    "end_before_start": _l("The end time must be after the start time."),
    "objection_closed": _l("The objection period of this deduction is over."),
    "objection_already_raised": _l("An objection to this deduction has already been raised; it waits for a decision."),
    "pair_own_household": _l("A party member cannot be paired with their own household."),
    "not_correctable": _l("Only approved records can be corrected."),
    "bad_correction": _l("The corrected points must be a whole number from %(low)s to %(high)s. "
                         "To give more, record the service again."),
    "correction_changes_nothing": _l("The record is already worth that many points."),
    "bad_objection_days": _l("The objection period must be a whole number of days from 0 to 90."),
    "future_date": _l("The date is in the future."),
    "no_participants": _l("Choose at least one participant."),
    "too_many_participants": _l("At most %(max)s participants at once."),
    "duplicate_participant": _l("The same person is listed twice."),
    "missing_duration": _l("Enter how long the service took."),
    "service_too_short": _l("A service counts from %(minutes)s minutes."),
    "service_too_long": _l("A service cannot take more than 24 hours."),
    "rule_cap_reached": _l("%(name)s has reached the limit of %(rule)s for this period."),
    "unknown_service_record": _l("That service record does not exist."),
    "already_reviewed": _l("That record has already been reviewed."),
    "reviewer_is_recorder": _l("You recorded this service yourself; another staff member must review it."),
    "bad_period": _l("Choose a period: from a date to a later date, at most ten years."),
    "import_no_file": _l("Please choose a file first."),
    "import_unknown_type": _l("Only CSV and Excel (.xlsx) files can be imported."),
    "import_old_excel": _l("This is an old Excel file (.xls). Please open it in Excel or WPS and save it as .xlsx or CSV."),
    "import_bad_file": _l("The file could not be read. Please save it again as CSV or Excel (.xlsx)."),
    "import_too_big": _l("The file is too big: at most %(max)s MB."),
    "import_empty": _l("The file is empty: there are no rows to import."),
    "import_missing_columns": _l("The file has no %(columns)s column. Its first row must name the columns: "
                                 "社区, 楼栋, 单元, 房号, 人口, 户电话, 姓名, 电话, 身份证号."),
    "import_too_many_rows": _l("The file has more than %(max)s rows. Please split it into smaller files."),
    "import_unknown_household": _l("%(name)s has no building and room, so the household is unknown."),
    "import_duplicate_phone": _l("The phone number ending %(phone)s is also on row %(row)s."),
    "import_duplicate_resident": _l("%(name)s of the same household is also on row %(row)s."),
    "import_resident_exists": _l("%(name)s is already registered in this household."),
    "import_expired": _l("This import was already done or has expired. Please upload the file again."),
    "import_stale": _l("The registry changed after the preview was shown. Please check the preview again."),
    "import_failed": _l("The import failed. Nothing was imported; please try again."),
    "import_id_as_number": _l("Excel stored this ID number as a number and its last digits are lost. "
                              "Format the column as text and type the number again."),
    "unknown_category": _l("Choose a category to count."),
    "stocktake_overlap": _l("Stock-take %(number)s is still open for some of these goods. Finish or cancel it first."),
    "stocktake_nothing": _l("There are no goods to count here."),
    "unknown_stocktake": _l("Stock-take not found."),
    "unknown_stocktake_line": _l("That item is not part of this stock-take."),
    "stocktake_finished": _l("This stock-take is finished; it can no longer change."),
    "stocktake_cancelled": _l("This stock-take was cancelled; it can no longer change."),
    "stocktake_changed": _l("Counts came in after this list was shown. Please check the list again."),
    "not_in_stocktake": _l("%(name)s is not part of this stock-take (%(category)s)."),
    "bad_count": _l("The counted quantity must be a whole number from 0 to %(max)s."),
    "counted_meanwhile": _l("%(by)s counted %(name)s meanwhile: %(quantity)s. Check it and count again if needed."),
    "not_a_manager_stocktake": _l("Only a store manager can finalize or cancel a stock-take."),
    "stocktake_recount": _l("More %(name)s left the shelf after it was counted than the count allows. "
                            "Please count %(name)s again."),
}

# Names of form fields, for the messages above.
FIELDS = {
    "name": _l("the name"),
    "building": _l("the building"),
    "room": _l("the room"),
    "unit": _l("the unit"),
    "phone": _l("the phone number"),
    "store_name": _l("the store name"),
    "printer_url": _l("the printer address"),
    "rule_code": _l("the rule code"),
    "rule_name": _l("the rule name"),
    "rule_category": _l("the rule category"),
    "service_content": _l("what the service was"),
    "service_date": _l("the date of the service"),
    "reject_reason": _l("the reason for rejecting"),
    "objection_statement": _l("the objection"),
    "decision_reason": _l("the reason for the decision"),
    "correction_reason": _l("the reason for the correction"),
}


def message(error):
    """The sentence for a KioskError (or a bare code)."""
    code = getattr(error, "code", error)
    params = getattr(error, "params", {})
    template = MESSAGES.get(code)
    if template is None:
        return gettext("Something went wrong. Nothing was changed.")
    if "field" in params:
        params = dict(params, field=str(FIELDS.get(params["field"], params["field"])))
    return str(template) % params if params else str(template)
