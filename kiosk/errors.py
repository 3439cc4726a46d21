"""Errors that services raise: a code and parameters, never a sentence.

Services do not import Flask or gettext; the web layer (kiosk.messages) turns a code into a
sentence in the user's language, and the CLI does the same.
"""


class KioskError(Exception):
    """A refusal the person at the screen must be told about; nothing was changed."""

    def __init__(self, code, /, **params):
        # Positional-only: a parameter may itself be called "code" (a rule or store code).
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self):
        return f"KioskError({self.code!r}, {self.params!r})"
