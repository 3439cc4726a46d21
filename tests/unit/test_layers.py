"""Dependencies run one way: features (cards, checkout, expiry, …) use the ledger and the print
queue, never the other way round, and devices/ knows nothing of kiosk. Read from the source
(every import statement, also those inside functions), so an import that only runs on some
path is caught too."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the lower layers may import from kiosk: the database, errors, and the plain models of
# stores, staff and the household register (an account is held by a household or a resident).
BASE = ("kiosk.db", "kiosk.errors", "kiosk.stores.models", "kiosk.staff.models")
LEDGER_MAY_IMPORT = BASE + (
    "kiosk.ledger",
    "kiosk.registry.models",  # Account.household, Account.resident
    "kiosk.a4",  # statements as A4 PDFs
    "kiosk.privacy",  # masked names on statements
)
PRINTING_MAY_IMPORT = BASE + (
    "kiosk.printing",
    "kiosk.audit",  # a reprint is audited
    "kiosk.stores.service",  # the store a server prints for
    "kiosk.staff.auth",  # the screens: the signed-in staff's store, roles
    "kiosk.messages", "kiosk.web",  # the screens: error sentences, page or fragment
)


def kiosk_imports(source, package):
    """Sorted (line, module) of every kiosk module that ``source`` (the text of a module in
    ``package``, a tuple of names) imports; ``from kiosk import x`` counts as kiosk.x, and a
    relative import is resolved from the package."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1] if node.level else ())
            module = ".".join(part for part in (base, node.module or "") if part)
            if module == "kiosk" or not node.module:
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return sorted((line, module) for line, module in found if module == "kiosk" or module.startswith("kiosk."))


def wrong_way(package, allowed):
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for line, module in kiosk_imports(path.read_text(encoding="utf-8"), path.relative_to(ROOT).parent.parts):
            if not any(module == ok or module.startswith(ok + ".") for ok in allowed):
                wrong.append(f"{name}:{line} imports {module}")
    return wrong


def test_the_ledger_imports_no_feature():
    assert (ROOT / "kiosk/ledger/models.py").exists()
    assert wrong_way("kiosk/ledger", LEDGER_MAY_IMPORT) == []


def test_the_print_queue_imports_no_feature():
    assert (ROOT / "kiosk/printing/service.py").exists()
    assert wrong_way("kiosk/printing", PRINTING_MAY_IMPORT) == []


def test_devices_import_nothing_of_kiosk():
    assert (ROOT / "devices/__init__.py").exists()
    assert wrong_way("devices", ()) == []


def test_imports_inside_functions_and_relative_ones_count():
    source = "import os\nfrom . import service\nfrom .chain import head\n\ndef f():\n    from kiosk import audit\n" \
             "    import kiosk.checkout.models\n"
    assert kiosk_imports(source, ("kiosk", "ledger")) == [
        (2, "kiosk.ledger.service"), (3, "kiosk.ledger.chain"), (6, "kiosk.audit"), (7, "kiosk.checkout.models")]
    assert kiosk_imports("from .status import x\nfrom ..kiosk import y\n", ("devices",)) == [(2, "kiosk.y")]
