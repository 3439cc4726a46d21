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
    "pins_differ": _l("The two PINs are not the same. Please type the PIN again, twice."),
    "weak_pin": _l("This PIN is too easy to guess (all one digit, a run like 1234, a repeated pair). Please choose another."),
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
    # Opening a store (kiosk setup, the first-run screen, kiosk store create).
    "bad_store_code": _l("A store code is 2 to 8 letters or digits, starting with a letter, such as XY."),
    "bad_timezone": _l("%(zone)s is not a time zone. Use a name such as Asia/Shanghai."),
    "duplicate_store": _l("A store with the code %(store_code)s already exists."),
    "unknown_store": _l("No store has the code %(store_code)s (KIOSK_STORE). The stores are: %(codes)s."),
    "store_not_chosen": _l("This database holds several stores: set KIOSK_STORE to one of %(codes)s."),
    "store_exists": _l("The kiosk has been set up already: sign in instead."),
    "bad_setup_code": _l("The set-up code is wrong. It was printed by kiosk init-db on the kiosk computer."),

    # --- staff administration (kiosk/staff) ---
    "bad_role": _l("Choose a role: store manager, operations, cashier or customer service."),
    "duplicate_staff_name": _l("%(name)s is already on the staff. Add a distinguishing mark to the name (such as 王秀英2)."),
    "unknown_staff_member": _l("That staff member is not in this store."),
    "unknown_staff_name": _l("Nobody called %(name)s is on the staff of this store."),
    "ambiguous_staff_name": _l("%(count)s deactivated people are called %(name)s; reactivate one on the staff screen."),
    "last_manager": _l("This is the store's last active manager. Make someone else store manager first."),
    "bad_staff_name": _l("The name holds invisible or control characters. Please type it again."),
    "bad_audit_range": _l("The first day (from) is after the last day (to). Choose the days again."),
    "bad_audit_date": _l("“%(value)s” is not a date. Choose the day on the calendar."),

    # --- earning rules and goods categories (kiosk/earning, kiosk/inventory) ---
    "rule_retired": _l("The rule %(name)s has been retired: it can no longer be recorded or changed."),
    "rule_unchanged": _l("Nothing was changed: the rule stays as it is."),
    "bad_rule_code": _l("A rule code is letters, digits, - and _ only, such as CLEAN or VOL30."),
    "rule_zero_points": _l("The points cannot be 0: give the points the rule adds, or choose a deduction and give the points it takes."),
    "bad_rule_points": _l("The points must be a whole number, at most %(max)s."),
    "bad_rule_unit": _l("Choose how the rule counts: per occurrence or per 30 minutes."),
    "bad_rule_cap": _l("The monthly cap must be a whole number above 0, or left empty for none."),
    "rule_cap_below_points": _l("The monthly cap (%(cap)s) is below the points of one occurrence (%(points)s), so nobody could ever earn them."),
    "bad_rule_dates": _l("The end date must be after the start date."),
    "bad_rule_warnings": _l("The warnings before the first deduction must be a whole number from 0 to %(max)s."),
    "bad_rule_period": _l("Choose the period warnings are counted in: a month, a quarter or a year."),
    "bad_rule_share": _l("The linked share must be a whole percent from 0 to 100."),
    "rule_deduction_per_time": _l("A deduction counts occurrences, not time: choose per occurrence."),
    "rule_cap_on_deduction": _l("A deduction has no monthly cap: leave the cap empty."),
    "rule_share_on_deduction": _l("A deduction gives no linked share: leave the share empty."),
    "rule_warnings_on_earning": _l("Warnings before the first deduction are for deductions only: leave them empty for an earning."),
    "catalog_bad_points": _l("“%(value)s” is not a number of points: write a whole number such as 10 or -5."),
    "catalog_bad_number": _l("%(field)s: “%(value)s” is not a whole number."),
    "catalog_bad_unit": _l("Unknown way of counting “%(value)s”: write 每次 or 每30分钟."),
    "catalog_bad_period": _l("Unknown period “%(value)s”: write 月, 季 or 年."),
    "catalog_bad_kind": _l("“%(value)s” is neither 加分 nor 扣分."),
    "catalog_kind_conflict": _l("The row says 加分 but its points are negative (%(value)s)."),
    "catalog_duplicate_code": _l("The code %(code)s is also on row %(row)s."),
    "catalog_duplicate_name": _l("The rule %(name)s is also on row %(row)s."),
    "catalog_rule_retired": _l("The rule %(code)s (%(name)s) has been retired: give this row another code."),
    "catalog_missing_columns": _l("The file has no %(columns)s column. Its first row must name the columns, such as 代码, 名称, 类别, 积分."),
    "catalog_has_errors": _l("Nothing was imported: %(count)s rows have errors. Correct the file and upload it again."),
    "catalog_stale": _l("The rules changed after the preview was shown. Nothing was imported; please check the preview again."),
    "catalog_nothing_to_do": _l("The catalog already has every rule of this file as it is: nothing was imported."),
    "unknown_goods_category": _l("That category is not on the list."),
    "duplicate_category": _l("The category %(name)s is already on the list."),
    "category_unchanged": _l("That is the category's name already."),
    "category_in_stocktake": _l("A stock-take of %(name)s is still open: finish or cancel it before renaming the category."),
    "category_retired": _l("The category %(name)s has been retired already."),
    "category_has_goods": _l("The category %(name)s still has %(count)s goods (on sale or not): move them to another category first."),

    # --- printed rules (kiosk/rulesheets) ---

    # --- backups (kiosk/backup) ---
    "backup_folder_unwritable": _l("Backups cannot be written to %(folder)s (%(error)s). Choose a folder that "
                                   "exists and can be written: plug the USB stick in, or connect the network share."),
    "backup_no_database": _l("There is no database at %(path)s to back up."),
    "backup_keys_missing": _l("The instance keys are missing from %(folder)s: a copy without them could not "
                              "read the residents' cards. Run kiosk init-db first."),
    "backup_schema_behind": _l("The database is at version %(have)s but this kiosk expects %(want)s: run kiosk "
                               "init-db (or restart the kiosk) first."),
    "backup_not_verified": _l("The copy failed verification and was not kept: %(problems)s (%(count)s problems "
                              "in all). Run kiosk verify."),
    "backup_fails_verification": _l("%(name)s fails verification and was not restored: %(problems)s "
                                    "(%(count)s problems in all)."),
    "backup_copy_failed": _l("The database could not be copied (%(error)s); nothing was kept. Try again later."),
    "restore_failed": _l("Could not restore (%(error)s): the database and keys in use were left as they were."),
    "backup_copy_damaged": _l("The database in %(name)s is damaged: %(error)s"),
    "backup_on_postgres": _l("This kiosk keeps its data in PostgreSQL: back it up with the database server's own "
                             "tools (pg_dump). kiosk backup copies SQLite databases only; nothing was done."),
    "not_a_backup": _l("%(name)s is not a kiosk backup."),
    "backup_without_database": _l("%(name)s holds no kiosk database."),
    "backup_without_keys": _l("%(name)s holds no instance keys: restored cards would not scan."),
    "backup_damaged": _l("%(name)s is damaged: %(member)s in it does not match its checksum."),
    "backup_not_kiosk_database": _l("The database in %(name)s is not a kiosk database."),
    "backup_newer_schema": _l("%(name)s was made by a newer kiosk (version %(have)s; this one knows %(want)s): "
                              "update the kiosk first."),
    "kiosk_running": _l("The kiosk server is running (%(url)s): stop it first (systemctl stop points-kiosk, or "
                        "close the kiosk window on Windows), then restore."),
    "no_backup": _l("There is no backup yet."),

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
    "bad_points": _l("The points price must be a whole number from %(low)s to %(high)s."),
    "bad_number": _l("%(field)s must be a whole number from %(low)s to %(high)s."),
    "bad_barcode": _l("That is not a barcode: use 4 to 32 letters, digits or signs, no spaces or control characters."),
    "barcode_is_card": _l("That is a points card, not a product barcode."),
    "duplicate_barcode": _l("This barcode already belongs to %(name)s."),
    "bad_kind": _l("Choose goods or service voucher."),
    "photo_not_image": _l("The photo must be a JPEG, PNG or WebP picture."),
    "photo_too_big": _l("The photo is too big: at most %(max)s MB."),
    "no_labels": _l("Tick at least one product for the labels."),
    "bad_copies": _l("Copies must be a whole number, at most %(max)s labels at once."),
    "import_id_as_number": _l("Excel stored this ID number as a number and its last digits are lost. "
                              "Format the column as text and type the number again."),
    # Importing service from the volunteer platform.
    "import_mixed_encoding": _l("Part of this file is in one encoding and part in another (UTF-8 and GBK), so some "
                                "Chinese would come out garbled. Open it in Excel or WPS and save it again as "
                                "CSV (UTF-8) or .xlsx."),
    "import_map_missing": _l("Choose the column that holds %(field)s."),
    "import_map_identifier": _l("Choose the column with the phone numbers or the ID numbers: a name alone does "
                                "not tell residents apart."),
    "import_no_rule": _l("Choose the rule to score this file with, or the column that names the rule."),
    "import_no_identifier": _l("%(name)s has neither a phone number nor an ID number, so the resident cannot be "
                               "identified."),
    "import_unknown_person": _l("%(name)s is not in the registry."),
    "import_person_unverifiable": _l("%(name)s is in the registry without a phone number or ID number, so the row "
                                     "cannot be matched. Add one under Cards and households first."),
    "import_person_mismatch": _l("%(name)s is in the registry, but with another phone number or ID number."),
    "import_ambiguous_person": _l("%(count)s residents called %(name)s match. Add the whole phone number or the "
                                  "last four characters of the ID number."),
    "import_bad_date": _l("“%(value)s” is not a date."),
    "import_bad_time": _l("“%(value)s” is not a time."),
    "import_bad_duration": _l("“%(value)s” is not a duration."),
    "import_end_before_start": _l("The end time is before the start time."),
    "import_unknown_rule": _l("No rule in the catalog is called “%(value)s”."),
    "import_rule_is_deduction": _l("%(name)s is a deduction; the import only adds points for service."),
    "import_duplicate_row": _l("Same person, activity and date as row %(row)s."),
    "import_duplicate_record": _l("Already recorded: %(name)s, %(content)s on %(date)s."),
    "import_nothing_valid": _l("No row can be imported: every row has an error."),
    "import_batch_unknown": _l("That import does not exist."),
    "import_batch_draft": _l("This import has not been submitted for confirmation yet."),
    "import_batch_submitted": _l("This import waits for confirmation and can no longer be changed."),
    "import_batch_decided": _l("This import has already been confirmed or discarded."),
    "import_not_uploader": _l("Only the staff member who uploaded this file can change or submit it."),
    "import_confirmer_is_uploader": _l("You uploaded this file yourself; another staff member must confirm it."),
    "import_batch_stale": _l("Something changed since this page was shown (a record was added or a limit was "
                             "reached). Nothing was posted. Please check the rows below again and confirm."),
    "bad_expiry_mode": _l("Choose whether and how points expire."),
    "bad_expiry_day": _l("Choose a month and a day that every year has (29 February is not in every year)."),
    "bad_expiry_months": _l("Points can expire after 1 to %(max)s months."),
    "bad_notice_days": _l("Announce the expiry 0 to %(max)s days in advance."),
    "bad_point_value": _l("A point's value is an amount in yuan from 0.01 to 10000 with at most two decimals, "
                          "for example 1.00; leave it empty to show no value."),
    "expiry_off": _l("Points do not expire in this store."),
    "expiry_day_not_over": _l("%(day)s has not ended yet: points expire at the end of that day."),
    "bad_notice_month": _l("Choose a month, for example 2026-11."),
    "bad_notice_year": _l("Choose a year, for example 2026."),
    "notice_too_early": _l("The period is not over yet: this notice can be published from %(day)s."),
    "notice_already_published": _l("The notice for %(period)s has already been published. A published notice never changes."),
    "ledger_tampered": _l("The points ledger does not match its hash chain from ledger entry %(entry)s on, so no notice "
                          "can be published. Run kiosk verify and call the store manager."),
    "unknown_notice": _l("Notice not found."),
    "bad_cutoff_day": _l("The cut-off day must be a day from 1 to 28."),
    "bad_star_candidates": _l("The number of star-household candidates must be a whole number from 0 to %(max)s."),
    # Redemption windows and per-product limits (kiosk.redemption).
    "redemption_closed": _l("Redemption is closed now; it opens again on %(month)s/%(day)s. Balances can still be looked up."),
    "redemption_closed_no_date": _l("Redemption is closed now. Balances can still be looked up."),
    "limit_reached_month": _l("%(name)s is limited to %(limit)s %(unit)s a month for this account; "
                              "%(left)s %(unit)s left this month."),
    "limit_reached_quarter": _l("%(name)s is limited to %(limit)s %(unit)s a quarter for this account; "
                                "%(left)s %(unit)s left this quarter."),
    "limit_reached_year": _l("%(name)s is limited to %(limit)s %(unit)s a year for this account; "
                             "%(left)s %(unit)s left this year."),
    "bad_limit": _l("The limit must be a whole number from 1 to %(max)s."),
    "bad_limit_period": _l("Choose the period of the limit: a month, a quarter or a year."),
    "bad_window_mode": _l("Choose when redemption is open."),
    "window_no_days": _l("Choose at least one day of the month."),
    "bad_window_day": _l("Days of the month are whole numbers from 1 to 31."),
    "bad_last_days": _l("The number of last days of the month must be a whole number from 1 to %(max)s."),
    "window_no_weeks": _l("Choose at least one week of the quarter."),
    "bad_window_week": _l("Weeks of the quarter are 1 to 13, or the last week."),
    "bad_stock_quantity": _l("Line %(line)s: the quantity must be a whole number from 1 to %(max)s."),
    "bad_expiry": _l("Line %(line)s: that is not an expiry date. Choose it on the calendar."),
    "expiry_in_past": _l("Line %(line)s: the expiry date %(day)s has passed. Expired goods are not taken in."),
    "batch_too_long": _l("Line %(line)s: the batch number is too long: at most %(max)s characters."),
    "empty_document": _l("The list is empty: scan or choose at least one product."),
    "too_many_document_lines": _l("At most %(max)s different goods in one document."),
    "bad_receipt_kind": _l("Choose whether the goods were bought or donated."),
    "unknown_document": _l("That document does not exist."),
    "stock_too_large": _l("%(name)s would have more than %(max)s in stock. Please check the quantity."),
    "bad_write_off_reason": _l("Choose why the goods go out: damaged, expired, internal use or other."),
    "needs_manager_approval": _l("%(units)s units worth %(points)s points: a store manager must approve with their PIN."),
    "bad_stock_settings": _l("Check the stock settings: the approval threshold is a whole number from 0, "
                             "the expiry warning 1 to 365 days."),
    "unknown_category": _l("Choose a category to count."),
    "stocktake_overlap": _l("Stock-take %(number)s is still open for some of these goods. Finish or cancel it first."),
    "stocktake_nothing": _l("There are no goods to count here."),
    "unknown_stocktake": _l("Stock-take not found."),
    "unknown_stocktake_line": _l("That item is not part of this stock-take."),
    "stocktake_finished": _l("This stock-take is finished; it can no longer change."),
    "stocktake_cancelled": _l("This stock-take was cancelled; it can no longer change."),
    "stocktake_changed": _l("Counts came in after this list was shown. Please check the list again."),
    "not_in_stocktake": _l("%(name)s is not part of this stock-take (%(scope)s)."),
    "unknown_shelf": _l("No product stands on that shelf. Choose a shelf from the list."),
    "stocktake_scope": _l("Count one category or one shelf, not both."),
    "bad_count": _l("The counted quantity must be a whole number from 0 to %(max)s."),
    "counted_meanwhile": _l("%(by)s counted %(name)s meanwhile: %(quantity)s. Check it and count again if needed."),
    "not_a_manager_stocktake": _l("Only a store manager can finalize or cancel a stock-take."),
    "stocktake_recount": _l("More %(name)s left the shelf after it was counted than the count allows. "
                            "Please count %(name)s again."),

    # --- receipts ---
    "bad_receipt_settings": _l("Choose what happens to a receipt that may have printed, and a number of minutes "
                               "from 1 to 1440."),
    "checkout_busy": _l("The cash desk server is busy. Please try again in a moment: tapping again never "
                        "redeems twice."),
    # --- security ---
    "import_too_many_columns": _l("The file has more than %(max)s columns. Please keep only the columns to import."),
    "import_too_big_unpacked": _l("The Excel file unpacks to more than %(max)s MB. Please save only the sheet to "
                                  "import, or save it as CSV."),
    "barcode_not_scannable": _l("That is not a goods barcode: it starts with a letter or digit and has only "
                                "letters, digits and - . / _ +."),
    "photo_too_many_pixels": _l("The photo has too many pixels: at most %(megapixels)s megapixels. Please take it "
                                "again at the phone's normal size."),
    "objection_dismissed": _l("The objection to this deduction was already decided. To object again, please "
                              "ask at the service desk."),
    "typed_card_numbers_off": _l("Please scan the card: this store does not take typed card numbers."),
    # --- dayclose ---
    "bad_close_day": _l("“%(day)s” is not a day. Please choose a day like 2026-12-05."),
    "close_day_future": _l("%(day)s has not come yet. A day can be closed once it has begun."),
    "day_already_closed": _l("%(day)s was already closed (at %(when)s). A closed day never changes: anything "
                             "recorded later shows on the next day's close."),
    "later_day_closed": _l("%(day)s cannot be closed any more: %(later)s, a later day, is closed already. Its "
                           "records are on the next close."),
    "shift_just_closed": _l("This shift was closed a moment ago (from this or another till). Please look at the "
                            "list of closes."),
    "unknown_close": _l("That close is not one of this store's, or not yours to see."),
    # --- reports ---
    "bad_report_period": _l("\"%(period)s\" is not a period. Choose a month (2026-11), a quarter (2026-Q4), a year (2026), "
                     "a day (2026-11-05) or two days (2026-11-01..2026-11-15), at most three years apart."),
    "bad_report": _l("There is no such report. Choose points, participation, goods or the street office page."),
    "bad_export": _l("There is no such export. Please choose one of the buttons on the report page."),
    "bad_export_format": _l("A report is written as .xlsx, .csv or .pdf. Please name the file with one of these."),
    # --- leaks ---
    "printer_url_example": _l("This printer address cannot be used. Write it like this: %(example)s"),
    # --- street ---
    "unknown_district_user": _l("There is no street-office user of that name. Please choose your name first."),
    "district_name_taken": _l("There is already a street-office user called %(name)s."),

    # --- cancel ---
    "nothing_to_undo": _l("There is nothing to undo: the cancelled card and cart were already brought back, or something else happened since. Nothing was changed."),

    # --- vouchers ---
    "invalid_voucher_scan": _l("That is not a voucher. Please scan the QR code on the voucher slip, or type its 10-digit number."),
    "card_not_voucher": _l("That is a resident's card, not a voucher. Please scan the QR code on the voucher slip."),
    "foreign_voucher": _l("This voucher is not this store's. Nothing was changed."),
    "forged_voucher": _l("This voucher's code is not valid: it may have been altered or copied by hand. Nothing was changed."),
    "unknown_voucher": _l("This store issued no voucher with that number. Please check the number on the slip."),
    "not_your_voucher": _l("This voucher is not yours: another partner accepts it. Nothing was changed."),
    "voucher_used": _l("Already used: at %(when)s by %(partner)s. Nothing was changed."),
    "voucher_expired": _l("This voucher has expired: it was valid until %(until)s. Nothing was changed."),
    "voucher_cancelled": _l("This voucher was cancelled (the resident returned it). Nothing was changed."),
    "unknown_partner": _l("There is no such partner. Please choose your name first."),
    "partner_name_taken": _l("There is already a partner called %(name)s."),
    "partner_inactive": _l("%(name)s is deactivated. Reactivate them first."),
    "unknown_statement": _l("There is no such statement."),
    "nothing_to_settle": _l("%(partner)s has no used vouchers in %(period)s that are not on a statement yet."),
    "statement_changed": _l("The vouchers changed while the statement was being made (another statement took "
                            "some of them). Nothing was changed: please look at the list again."),
    "statement_settled": _l("Statement %(serial)s is settled: it is closed for good and never changes."),
    "statement_void": _l("Statement %(serial)s was voided; it can no longer change."),
    "voucher_not_card": _l("This is a service voucher, not a resident's card. Please scan the resident's points card."),
    "voucher_without_terms": _l("%(name)s cannot be redeemed yet: the store manager must first say who honours it, what it is worth and how long it is valid (on the product's page)."),
    "voucher_partner_inactive": _l("%(name)s cannot be redeemed: %(partner)s no longer takes vouchers. The store manager must choose another partner on the product's page."),
    "voucher_partner_missing": _l("Please choose the partner who honours this voucher."),
    "voucher_partner_unknown": _l("That partner is not on the store's list (or no longer takes vouchers). Please choose one from the list."),
    "bad_face_value": _l("The face value must be an amount in yuan from 0 to %(max)s, e.g. 20 or 20.50 (0 for a service)."),
    "bad_valid_days": _l("The days valid must be a whole number from 1 to %(max)s."),
    "bad_holder": _l("Choose whether the voucher belongs to the household or to whoever holds it."),
    "voucher_used_no_return": _l("Voucher %(serial)s (%(name)s) has been used: its unit cannot be returned. Nothing was changed."),
    "kind_fixed_after_sales": _l("%(name)s has been redeemed before, so it stays what it was sold as (goods or service voucher). Add a new product instead."),
    "voucher_expired_no_return": _l("Voucher %(serial)s (%(name)s) has expired: its unit cannot be returned. Nothing was changed."),

    # --- settingsui ---
    "bad_printer_kind": _l("Please choose how the receipt printer is connected."),
    "printer_port_range": _l("The printer's port must be a number from 1 to 65535 (usually 9100)."),
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
    "import_name": _l("the names"),
    "discard_reason": _l("the reason for discarding"),
    "category": _l("the category"),
    "product_name": _l("the product name"),
    "product_unit": _l("the unit of sale"),
    "low_stock": _l("The low-stock level"),
    "sort_order": _l("The sort order"),
    "shelf": _l("the shelf"),
    "donor_name": _l("the donor's name"),
    "donor_contact": _l("the donor's contact"),
    "note": _l("the note"),
    "write_off_note": _l("what happened (the note)"),
    "store_code": _l("the store code"),
    "manager_name": _l("the manager's name"),
    "staff_name": _l("the staff member's name"),

    # --- staff administration fields ---

    # --- earning rules and goods categories fields ---
    "rule_points": _l("the points"),
    "catalog_cap_month": _l("The monthly cap"),
    "catalog_warnings": _l("The warnings"),
    "catalog_share": _l("The linked share"),

    # --- printed rules fields ---

    # --- backups fields ---

    # --- street ---
    "district_name": _l("the street-office user's name"),

    # --- partners ---
    "partner_name": _l("the partner's name"),
    "partner_contact": _l("the contact"),
    "partner_honours": _l("what they honour"),

    # --- settingsui ---
    "printer_host": _l("the printer's network address"),

    # --- vouchers ---
    "voucher_face": _l("what the voucher is worth (in words)"),
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
