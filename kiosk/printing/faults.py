"""A print job's error as stored: the PrinterError's code, params and English text (no Flask).

kiosk.printing.problems words a stored error for a screen.
"""
import json

from devices import PrinterError, PrinterStatus

ERROR_LIMIT = 300  # print_job.error holds this many characters
ELLIPSIS = "…"


def shorten(text, limit):
    """`text` in at most `limit` characters: cut at a word boundary (a character boundary in
    text without spaces, such as Chinese) and ended with an ellipsis when it is longer."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + ELLIPSIS


def parts(error):
    """(code, params, English text) of a PrinterError, other exception or stored error."""
    if isinstance(error, PrinterError):
        return error.code, error.params, str(error)
    if isinstance(error, PrinterStatus):
        return error.code or error.state, error.params, error.detail
    if isinstance(error, ValueError):  # a printer URL that cannot be understood
        return "bad_setting", {"reason": str(error)}, str(error)
    if isinstance(error, BaseException):
        return "other", {}, str(error)
    text = str(error or "")
    if text.startswith("{"):
        try:
            stored = json.loads(text)
            return str(stored["code"]), dict(stored.get("params") or {}), str(stored.get("text", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    return "other", {}, text  # written before the codes: English text only


def stored_error(exc):
    """What a print job keeps of the error `exc`: code, params and the English text, as JSON
    of at most ERROR_LIMIT characters (long values are shortened at a word boundary)."""
    code, params, text = parts(exc)
    params = {key: shorten(value, 60) for key, value in params.items()}
    record = {"code": code, "params": params, "text": text}
    encoded = json.dumps(record, ensure_ascii=False)
    if len(encoded) > ERROR_LIMIT:
        room = ERROR_LIMIT - (len(encoded) - len(json.dumps(text, ensure_ascii=False))) - 2
        for size in range(max(room, 1), 0, -10):
            record["text"] = shorten(text, size)
            encoded = json.dumps(record, ensure_ascii=False)
            if len(encoded) <= ERROR_LIMIT:
                break
    if len(encoded) > ERROR_LIMIT:  # many long params: keep what names the printer
        record = {"code": code, "params": {key: params[key] for key in ("kind", "address") if key in params},
                  "text": shorten(text, 100)}
        encoded = json.dumps(record, ensure_ascii=False)
    return encoded


def detail(error):
    """The English text of a printer error, for the technician (kept whole, never translated)."""
    if not error:
        return ""
    return parts(error)[2]
