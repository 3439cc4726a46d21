"""Receipt printing for the points-supermarket kiosk (no dependency on `kiosk`)."""

from .acknowledgement import Acknowledgement, AcknowledgementLabels, AcknowledgementLine
from .discover import Found, check_printer, check_scanner, find_printers, find_scanners
from .escpos_render import ENCODINGS, check_encoding, preview_lines, render_escpos, render_items
from .labels import ShelfLabel, ShelfLabelCaptions, ShelfLabels
from .paper import render_document_png, render_png
from .printers import PrinterError, ReceiptPrinter, VirtualPrinter, printer_from_url
from .profiles import PAPER_58, PAPER_80, PaperProfile
from .receipt import Receipt, ReceiptLabels, ReceiptLine
from .slip import Slip, SlipRow
from .statement import Statement, StatementEntry, StatementLabels
from .status import ERROR_CODES, PRINTER_KINDS, PrinterStatus
from .text import display_width
from .voucher import VoucherLabels, VoucherSlip

__all__ = [
    "Acknowledgement",
    "AcknowledgementLabels",
    "AcknowledgementLine",
    "Receipt",
    "ReceiptLine",
    "ReceiptLabels",
    "Statement",
    "StatementEntry",
    "StatementLabels",
    "ShelfLabel",
    "ShelfLabels",
    "ShelfLabelCaptions",
    "Slip",
    "SlipRow",
    "VoucherSlip",
    "VoucherLabels",
    "PaperProfile",
    "PAPER_58",
    "PAPER_80",
    "render_escpos",
    "render_items",
    "ENCODINGS",
    "check_encoding",
    "render_png",
    "render_document_png",
    "preview_lines",
    "ReceiptPrinter",
    "PrinterError",
    "VirtualPrinter",
    "printer_from_url",
    "PrinterStatus",
    "ERROR_CODES",
    "PRINTER_KINDS",
    "Found",
    "find_printers",
    "find_scanners",
    "check_printer",
    "check_scanner",
    "display_width",
]
