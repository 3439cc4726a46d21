"""Every refusal code names one sentence: a code written twice in kiosk/messages.py would
silently replace the first sentence with the second (a dict literal keeps the last)."""
import ast
from collections import Counter
from pathlib import Path

import kiosk.messages

SOURCE = Path(kiosk.messages.__file__).read_text(encoding="utf-8")


def _dict_keys(name):
    for node in ast.walk(ast.parse(SOURCE)):
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and isinstance(node.value, ast.Dict):
            return [key.value for key in node.value.keys if isinstance(key, ast.Constant)]
    raise AssertionError(f"{name} is not a dict literal in kiosk/messages.py")


def test_no_message_code_is_written_twice():
    for name in ("MESSAGES", "FIELDS"):
        keys = _dict_keys(name)
        assert len(keys) > 10, name
        assert [key for key, count in Counter(keys).items() if count > 1] == [], name
