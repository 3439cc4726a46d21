"""The donation acknowledgement as an A4 letter of thanks (感谢信): ``templates/a4/letter.html``
laid out by WeasyPrint (kiosk.a4).

The same Acknowledgement value prints on the receipt printer (devices lays it out as ESC/POS).
"""
from kiosk import a4


def letter_pdf(doc, *, title, greeting, closing, headings):
    """``doc`` (devices.Acknowledgement) as an A4 PDF (bytes): the title, the greeting to the
    donor, the thanks, the goods with their value, the store and the date. ``closing`` may hold
    two lines ("此致\\n敬礼！"): the first is set two characters in, as Chinese letters do.
    Raises kiosk.a4.PdfUnavailable without WeasyPrint's libraries."""
    return a4.pdf("a4/letter.html", doc=doc, title=title, greeting=greeting, closing_lines=closing.split("\n"),
                  headings=headings)
