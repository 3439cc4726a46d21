"""A request is refused before it is read when it declares more than the limit: 1 MB for a
form, more only on the screens that take a file, which keep their own messages."""
import io

from werkzeug.test import EnvironBuilder

from tests.helpers import body

MB = 1024 * 1024


class Endless(io.RawIOBase):
    """A body that fails the test if the server reads much of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True


    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        assert self.read_bytes < 2 * MB, "the server read the body"
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_an_anonymous_100_mb_post_is_refused_unread(app, world):
    stream = Endless()
    environ = EnvironBuilder(path="/signin/1", method="POST", content_type="application/x-www-form-urlencoded",
                             data=b"").get_environ()
    environ.update({"CONTENT_LENGTH": str(100 * MB), "wsgi.input": stream})
    statuses = []
    answer = b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses == ["413 REQUEST ENTITY TOO LARGE"]
    assert "提交的内容过大：最多 1 MB。" in answer.decode()
    assert stream.read_bytes == 0


def test_a_form_over_1_mb_is_refused(cashier):
    response = cashier.post("/cashier/scan", {"code": "x" * (MB + 10)}, htmx=False)
    assert response.status_code == 413


def upload(session, size):
    builder = EnvironBuilder(path="/earning/import/", method="POST", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"x" * size), "a.csv"), "csrf_token": session.token()})
    environ = builder.get_environ()
    try:
        return session.client.open(environ)
    finally:
        environ["wsgi.input"].close()  # the test client spools a big body to a temporary file
        builder.close()


def test_an_import_screen_takes_its_own_size_and_says_its_own_limit(operations):
    response = upload(operations, 10 * MB + 100)
    assert response.status_code == 422
    assert "文件太大，最大 10 MB。" in body(response)
    assert upload(operations, 21 * MB).status_code == 413
