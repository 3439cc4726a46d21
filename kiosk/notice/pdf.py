"""A notice as a printable A4 PDF: pages drawn with Noto Sans CJK (as statements and cards are),
with the same text laid invisibly over each page so that it can be searched, copied and read
by a screen reader (as a scanner's OCR layer is).

The pages are pictures, so they print the same on any printer and viewer whatever fonts it
has; the text layer names no font file (nothing to embed) and maps every character back to
Unicode. No Flask here: the caller passes the words (``NoticeLabels``).
"""
import io
import zlib
from dataclasses import dataclass

from PIL import Image, ImageDraw

A4_MM = (210, 297)
POINTS_PER_INCH = 72


@dataclass
class NoticeLabels:
    title: str = "Points public notice"
    period: str = "Period"
    published: str = "Published"
    columns: tuple = ("Rank", "Household", "Head of household", "Earned", "Spent", "Balance")
    totals: str = "Total"
    households: str = "households"
    chain: str = "Ledger chain head"
    chain_note: str = "after entry {entry}, {length} entries"
    empty_chain: str = "no ledger entries yet"
    stars_title: str = "Star household candidates"
    stars_note: str = "By points earned in the year"
    deducted: str = "deduction in the year"
    no_stars: str = "No household earned points in the year."
    page: str = "Page {number} of {pages}"


class _Page:
    """One A4 page being drawn, remembering where each piece of text went."""

    def __init__(self, dpi):
        self.dpi = dpi
        self.image = Image.new("L", (self.px(A4_MM[0]), self.px(A4_MM[1])), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.texts = []  # (left px, baseline px, size px, text)

    def px(self, mm):
        return round(mm * self.dpi / 25.4)

    def text(self, xy, text, size, anchor="ls", fill=0, bold=False):
        from kiosk.cards.render import cjk_font

        text = str(text)
        if not text:
            return
        font = cjk_font(size, bold=bold)
        self.draw.text(xy, text, font=font, fill=fill, anchor=anchor)
        width = font.getlength(text)
        left = {"l": xy[0], "m": xy[0] - width / 2, "r": xy[0] - width}[anchor[0]]
        self.texts.append((left, xy[1], size, text))


def notice_pdf(store_name, notice, lines, labels, *, candidates=None, published_at="", dpi=150, rows_per_page=36):
    """The notice as A4 PDF bytes: a title on every page, ``rows_per_page`` households a page,
    the totals and the ledger chain head at the end (and the star-household candidates of a
    yearly notice on pages of their own)."""
    chunks = [lines[i:i + rows_per_page] for i in range(0, len(lines), rows_per_page)] or [[]]
    star_chunks = []
    if candidates is not None:
        star_chunks = [candidates[i:i + rows_per_page] for i in range(0, len(candidates), rows_per_page)] or [[]]
    total_pages = len(chunks) + len(star_chunks)
    pages = []

    def header(page, title):
        margin = page.px(15)
        width = page.image.width
        y = margin + page.px(8)
        page.text((width // 2, y), store_name, page.px(7), anchor="ms", bold=True)
        y += page.px(10)
        page.text((width // 2, y), title, page.px(5.5), anchor="ms")
        y += page.px(8)
        body = page.px(3.6)
        page.text((margin, y), f"{labels.period}：{notice.day_from:%Y-%m-%d} ~ {notice.day_to:%Y-%m-%d}", body)
        page.text((width - margin, y), f"{labels.published}：{published_at}", body, anchor="rs")
        y += page.px(3)
        page.draw.line((margin, y, width - margin, y), fill=0, width=2)
        return y + page.px(7)

    def table(page, y, rows, headings, flags=False):
        margin = page.px(15)
        width = page.image.width
        columns = [margin + page.px(8), margin + page.px(14), margin + page.px(70), width - margin - page.px(60),
                   width - margin - page.px(30), width - margin]
        anchors = ("rs", "ls", "ls", "rs", "rs", "rs")
        body = page.px(3.6)
        for x, heading, anchor in zip(columns, headings, anchors):
            page.text((x, y), heading, body, anchor=anchor, bold=True)
        y += page.px(2.5)
        page.draw.line((margin, y, width - margin, y), fill=128, width=1)
        y += page.px(6)
        for row in rows:
            values = (row.rank, row.household_number, row.holder, row.earned, row.spent, row.balance)
            if flags:
                values = (row.rank, row.household_number, row.holder, row.earned,
                          labels.deducted if row.deducted else "", row.balance)
            for x, value, anchor in zip(columns, values, anchors):
                page.text((x, y), value, body, anchor=anchor, bold=flags and value == labels.deducted)
            y += page.px(6.2)
        return y

    def footer(page, number):
        page.text((page.image.width // 2, page.image.height - page.px(10)),
                  labels.page.format(number=number, pages=total_pages), page.px(3.2), anchor="ms", fill=100)

    def chain_lines(page, y):
        margin = page.px(15)
        width = page.image.width
        y += page.px(2)
        page.draw.line((margin, y, width - margin, y), fill=0, width=2)
        y += page.px(7)
        body = page.px(3.6)
        totals = f"{labels.totals}：{notice.households} {labels.households}"
        page.text((margin, y), totals, body, bold=True)
        for x, value in ((width - margin - page.px(60), notice.earned), (width - margin - page.px(30), notice.spent),
                         (width - margin, notice.balance)):
            page.text((x, y), value, body, anchor="rs", bold=True)
        y += page.px(10)
        where = (labels.chain_note.format(entry=notice.chain_entry_id, length=notice.chain_length)
                 if notice.chain_entry_id else labels.empty_chain)
        page.text((margin, y), f"{labels.chain}（{where}）：", page.px(3.4))
        y += page.px(6)
        page.text((margin, y), notice.chain_head, page.px(3.4))
        return y

    number = 0
    for index, chunk in enumerate(chunks):
        number += 1
        page = _Page(dpi)
        y = table(page, header(page, labels.title), chunk, labels.columns)
        if index == len(chunks) - 1:
            chain_lines(page, y)
        footer(page, number)
        pages.append(page)
    for chunk in star_chunks:
        number += 1
        page = _Page(dpi)
        y = header(page, labels.stars_title)
        page.text((page.px(15), y), labels.stars_note, page.px(3.6))
        y += page.px(9)
        if chunk:
            headings = (labels.columns[0], labels.columns[1], labels.columns[2], labels.columns[3], "", labels.columns[5])
            table(page, y, chunk, headings, flags=True)
        else:
            page.text((page.px(15), y), labels.no_stars, page.px(3.6), fill=100)
        footer(page, number)
        pages.append(page)
    return _write_pdf(pages, dpi)


# ----------------------------------------------------------------------------- PDF writing

def _hex_code(code):
    return f"{code:04X}"


def _utf16_hex(char):
    return char.encode("utf-16-be").hex().upper()


def _write_pdf(pages, dpi):
    """PDF 1.4 bytes: each page its picture and, in text render mode 3 (invisible), its text."""
    from kiosk.cards.render import cjk_font

    codes = {}
    for page in pages:
        for _, _, _, text in page.texts:
            for char in text:
                codes.setdefault(char, len(codes) + 1)
    objects = []  # bytes of object n+1 at index n

    def add(body):
        objects.append(body)
        return len(objects)

    def stream(dictionary, data):
        return dictionary + b" /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    sample = cjk_font(100)
    widths = " ".join(f"{code} [{round(sample.getlength(char) * 10)}]" for char, code in codes.items())
    cmap_lines = []
    items = list(codes.items())
    for start in range(0, len(items), 100):
        block = items[start:start + 100]
        cmap_lines.append(f"{len(block)} beginbfchar")
        cmap_lines.extend(f"<{_hex_code(code)}> <{_utf16_hex(char)}>" for char, code in block)
        cmap_lines.append("endbfchar")
    cmap = "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Kiosk-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
        *cmap_lines, "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ]).encode("ascii")
    to_unicode = add(stream(b"<< /Filter /FlateDecode", zlib.compress(cmap)))
    descriptor = add(b"<< /Type /FontDescriptor /FontName /NotoSansCJKsc-Regular /Flags 4 /FontBBox [-1000 -300 2000 1100]"
                     b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 733 /StemV 80 >>")
    cid_font = add(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NotoSansCJKsc-Regular"
                   b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                   b" /FontDescriptor " + f"{descriptor} 0 R".encode() + b" /DW 1000 /W [" + widths.encode() +
                   b"] /CIDToGIDMap /Identity >>")
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /NotoSansCJKsc-Regular /Encoding /Identity-H"
               b" /DescendantFonts [" + f"{cid_font} 0 R".encode() + b"] /ToUnicode " + f"{to_unicode} 0 R".encode() + b" >>")
    scale = POINTS_PER_INCH / dpi
    kids = []
    for page in pages:
        width_pt, height_pt = page.image.width * scale, page.image.height * scale
        image = add(stream(
            f"<< /Type /XObject /Subtype /Image /Width {page.image.width} /Height {page.image.height}"
            " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode".encode(),
            zlib.compress(page.image.tobytes(), 6)))
        content = [f"q {width_pt:.2f} 0 0 {height_pt:.2f} 0 0 cm /Im0 Do Q", "BT 3 Tr"]
        for left, baseline, size, text in page.texts:
            hexed = "".join(_hex_code(codes[char]) for char in text)
            content.append(f"/F0 {size * scale:.2f} Tf 1 0 0 1 {left * scale:.2f} {height_pt - baseline * scale:.2f} Tm "
                           f"<{hexed}> Tj")
        content.append("ET")
        contents = add(stream(b"<< /Filter /FlateDecode", zlib.compress("\n".join(content).encode("ascii"))))
        kids.append(add(
            f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {width_pt:.2f} {height_pt:.2f}]"
            f" /Resources << /XObject << /Im0 {image} 0 R >> /Font << /F0 {font} 0 R >> >>"
            f" /Contents {contents} 0 R >>".encode()))
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objects[pages_id - 1] = (f"<< /Type /Pages /Count {len(kids)} /Kids [" + " ".join(f"{k} 0 R" for k in kids)
                             + "] >>").encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
