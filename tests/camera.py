"""A still video for Chromium's fake camera: a printed points card held up in front of the lens.

Chromium plays a YUV4MPEG2 file in a loop when started with ``--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=/abs/path/cam.y4m``.
"""
from types import SimpleNamespace

from PIL import Image

from kiosk.cards.render import card_image

WIDTH, HEIGHT = 640, 480


def card_scene(payload, holder_name="张秀华", number="10000001"):
    """A 640 × 480 picture of a card carrying ``payload`` in its QR code, on a grey desk."""
    card = SimpleNamespace(holder_name=holder_name, number=number)
    store = SimpleNamespace(name="幸福社区积分超市")
    image = card_image(card, store, payload, dpi=170)
    scene = Image.new("RGB", (WIDTH, HEIGHT), (150, 150, 145))
    scene.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
    return scene


def write_y4m(path, image, frames=5, fps=10):
    """Write ``image`` (even width and height) as ``frames`` identical frames of 4:2:0 video."""
    width, height = image.size
    y, cb, cr = image.convert("RGB").convert("YCbCr").split()
    quarter = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(quarter, Image.Resampling.BOX).tobytes() + cr.resize(quarter, Image.Resampling.BOX).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return path
