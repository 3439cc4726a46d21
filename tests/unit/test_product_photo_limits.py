"""A product photo is re-encoded small and bare: pictures larger than a phone takes are refused
before they are decoded, and no comment, EXIF (a phone's GPS position), XMP or ICC block of the
upload survives into the stored JPEG."""
import io
import time

import pytest
from PIL import Image

from kiosk.errors import KioskError
from kiosk.inventory import products


def phone_photo(size=(4000, 3000)):
    """A JPEG as a phone writes one: EXIF with a GPS position, a comment, XMP and an ICC profile."""
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"           # Make
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 30)).save(
        out, "JPEG", exif=exif, comment=b"home of the store manager", xmp=b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
        icc_profile=b"\0" * 128 + b"secret-icc")
    return out.getvalue()


def test_a_phone_photo_is_stored_without_any_metadata():
    data = phone_photo()
    assert b"home of the store manager" in data and b"SecretPhone" in data
    stored = products.prepare_photo(data)
    for secret in (b"home of the store manager", b"SecretPhone", b"secret-xmp", b"secret-icc"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) == products.PHOTO_SIZE
        assert not {"comment", "exif", "xmp", "icc_profile"} & set(image.info)
        assert not image.getexif()


def test_the_limit_is_what_a_phone_takes():
    assert 12_000_000 <= products.MAX_PHOTO_PIXELS <= 25_000_000


def test_a_picture_beyond_the_limit_is_refused_before_it_is_decoded(app):
    out = io.BytesIO()
    Image.new("L", (7000, 7000)).save(out, "PNG")
    started = time.monotonic()
    with pytest.raises(KioskError) as refused:
        products.prepare_photo(out.getvalue())
    assert time.monotonic() - started < 1
    assert refused.value.code == "photo_too_many_pixels"
    from kiosk.messages import message
    with app.test_request_context():
        assert message(refused.value) == "照片像素太多：最多 25 百万像素（25 MP）。请用手机的普通尺寸重新拍摄。"


def test_a_large_phone_photo_is_prepared_quickly():
    data = phone_photo((5000, 4000))
    started = time.monotonic()
    products.prepare_photo(data)
    assert time.monotonic() - started < 2
