"""Receipt printing for the points-supermarket kiosk (no dependency on `kiosk`)."""

from .escpos_render import preview_lines, render_escpos
from .printers import PrinterError, ReceiptPrinter, VirtualPrinter, printer_from_url
from .profiles import PAPER_58, PAPER_80, PaperProfile
from .receipt import Receipt, ReceiptLabels, ReceiptLine
from .statement import Statement, StatementEntry, StatementLabels
from .text import display_width

__all__ = [
    "Receipt",
    "ReceiptLine",
    "ReceiptLabels",
    "Statement",
    "StatementEntry",
    "StatementLabels",
    "PaperProfile",
    "PAPER_58",
    "PAPER_80",
    "render_escpos",
    "preview_lines",
    "ReceiptPrinter",
    "PrinterError",
    "VirtualPrinter",
    "printer_from_url",
    "display_width",
]
