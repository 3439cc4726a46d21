"""The donation acknowledgement as an A4 letter of thanks (感谢信), a PDF drawn with Noto Sans CJK.

The same Acknowledgement value prints on the receipt printer (devices lays it out as ESC/POS).
"""
import io

from PIL import Image, ImageDraw

A4_MM = (210, 297)
ROWS_PER_PAGE = 22


def _wrap(text, font, width, draw):
    """Lines of ``text`` no wider than ``width`` pixels (Chinese wraps between any characters)."""
    lines, current = [], ""
    for ch in text:
        if draw.textlength(current + ch, font=font) > width:
            lines.append(current)
            current = ch
        else:
            current += ch
    return lines + ([current] if current else [])


def letter_pdf(doc, *, title, greeting, closing, headings, dpi=150):
    """``doc`` (devices.Acknowledgement) as an A4 PDF (bytes): the title, the greeting to the
    donor, the thanks, the goods with their value, the store and the date."""
    from kiosk.cards.render import cjk_font

    def px(mm):
        return round(mm * dpi / 25.4)

    width, height = px(A4_MM[0]), px(A4_MM[1])
    margin = px(25)
    chunks = [doc.lines[i:i + ROWS_PER_PAGE] for i in range(0, len(doc.lines), ROWS_PER_PAGE)] or [()]
    body, small = cjk_font(px(5)), cjk_font(px(3.6))
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        page = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(page)
        draw.rectangle((px(10), px(10), width - px(10), height - px(10)), outline=(196, 30, 45), width=px(1.2))
        y = margin + px(14)
        draw.text((width // 2, y), title, font=cjk_font(px(12), bold=True), fill=(196, 30, 45), anchor="ms")
        y += px(18)
        if number == 1:
            draw.text((margin, y), greeting, font=body, fill="black", anchor="ls")
            y += px(10)
            # A paragraph starts two characters in, as Chinese letters do.
            for text_line in _wrap("\u3000\u3000" + doc.labels.thanks, body, width - 2 * margin, draw):
                draw.text((margin, y), text_line, font=body, fill="black", anchor="ls")
                y += px(8)
            y += px(6)
        columns = (margin + px(6), width - margin - px(6))
        draw.text((columns[0], y), headings[0], font=small, fill=(90, 90, 90), anchor="ls")
        draw.text((columns[1], y), headings[1], font=small, fill=(90, 90, 90), anchor="rs")
        y += px(3)
        draw.line((margin, y, width - margin, y), fill=(170, 170, 170), width=2)
        y += px(8)
        for line in chunk:
            draw.text((columns[0], y), line.name[:40], font=body, fill="black", anchor="ls")
            draw.text((columns[1], y), f"{line.quantity}{line.unit}", font=body, fill="black", anchor="rs")
            y += px(8)
        if number == len(chunks):
            draw.line((margin, y - px(4), width - margin, y - px(4)), fill=(170, 170, 170), width=2)
            y += px(4)
            draw.text((columns[0], y), doc.labels.value, font=body, fill="black", anchor="ls")
            draw.text((columns[1], y), f"{doc.total_points}{doc.labels.unit}", font=body, fill="black", anchor="rs")
            y = max(y + px(24), height - margin - px(40))
            # 此致 on its own line, two characters in; 敬礼！ on the next, at the margin.
            for index, part in enumerate(closing.split("\n")):
                draw.text((margin, y), ("\u3000\u3000" if index == 0 and len(closing.split("\n")) > 1 else "") + part,
                          font=body, fill="black", anchor="ls")
                y += px(9)
            y += px(7)
            right = width - margin
            draw.text((right, y), doc.store_name, font=cjk_font(px(5.5), bold=True), fill="black", anchor="rs")
            y += px(9)
            draw.text((right, y), f"{doc.issued_on:%Y-%m-%d}", font=body, fill="black", anchor="rs")
        draw.text((width // 2, height - px(16)), f"{doc.number} · {number} / {len(chunks)}", font=small,
                  fill=(150, 150, 150), anchor="ms")
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()
