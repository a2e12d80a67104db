"""The package reads as the pipeline: rooms ranked low -> high, and no module
imports from a room above its own (issue 15).

Why the order is this one (read from today's imports, lowest first):

    core      money, records, rules, invoice numbering, the month review: pure
    readers   report file -> usage records (core only)
    files     safe opening of xlsx (zip checks) and atomic output publishing;
              uses the readers' integrity checks
    pricing   price book + usage records -> invoice lines; opens the price book
              through files/, reads reports through readers/
    writers   invoice lines -> workbook / CSV / price-book files
    ledger    the closed months and the build's month control; reads last
              month's workbook back through writers/previous.py
    fetch     vendor APIs -> report files (written through files/ and writers/)
    excel     the Excel face: functions, ribbon, add-in
    commands  the CLI: parser, error boundary, one module per sub-command;
              may call any room below, the Excel add-in builder included

Usable from every room: xlbilling.errors (the one error tree),
xlbilling.optional (the missing-package explanation), xlbilling.gc_pause (the
collector paused around a build phase, in pricing and writers) and
xlbilling.read_options (reading options the CLI sets and readers/ reads: kept
apart so the CLI need not import the readers).  The package root (`xlbilling`: `__version__`, and `main()`
for the ribbon's RunMain) and `__main__` are the entry points above all rooms.

Every import counts: module level, inside functions, under TYPE_CHECKING.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "xlbilling"

ROOMS = ("core", "readers", "files", "pricing", "writers", "ledger", "fetch", "excel", "commands")
SHARED = {"xlbilling.errors", "xlbilling.optional", "xlbilling.gc_pause", "xlbilling.read_options"}
ENTRY = {"xlbilling", "xlbilling.__main__"}
# Names the package root offers to every room (main() is not one: it runs the ribbon).
ROOT_NAMES = {"__version__"}
# xlbilling/udfs.py: the UDF module name old add-ins' VBA calls, kept at the top level (xlwings imports it by name).
TOP_LEVEL_ROOMS = {"udfs": "excel"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str | None:
    """The room of a module name, 'shared' / 'entry' for the top-level ones,
    None for a module in no room (a new top-level module must be placed)."""
    if module in SHARED:
        return "shared"
    if module in ENTRY:
        return "entry"
    parts = module.split(".")
    if parts[0] != "xlbilling" or len(parts) < 2:
        return None
    if parts[1] in ROOMS:
        return parts[1]
    return TOP_LEVEL_ROOMS.get(parts[1])


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").is_file() or (PACKAGE / rel / "__init__.py").is_file()


def imported_modules(module: str, source: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, xlbilling module) for every import in `source`, at any depth;
    `from X import name` counts as X.name when that is a module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if base == "xlbilling" and alias.name in ROOT_NAMES:
                    continue   # __version__: the package root's metadata, not a room
                found.append((node.lineno, full if _is_module(full) else base))
    return [(line, name) for line, name in found if name == "xlbilling" or name.startswith("xlbilling.")]


def upward_imports(module: str, source: str, is_package: bool = False) -> list[str]:
    """The imports of `module` that reach a room above its own."""
    own = room_of(module)
    bad = []
    for line, target in imported_modules(module, source, is_package):
        there = room_of(target)
        if own == "entry" or there == "shared" or there == own:
            continue
        if own == "shared" or there in (None, "entry") or ROOMS.index(there) > ROOMS.index(own):
            bad.append(f"{module} line {line} imports {target} ({there or 'no room'} is above {own})")
    return bad


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_is_in_a_room():
    lost = [module_name(p) for p in _modules() if room_of(module_name(p)) is None]
    assert not lost, f"put these in a room (or rank a new room in tests/test_layering.py ROOMS): {lost}"


def test_every_folder_is_a_ranked_room():
    folders = {p.parent.relative_to(PACKAGE).parts[0] for p in PACKAGE.glob("*/__init__.py")}
    assert folders, PACKAGE
    assert not folders - set(ROOMS), f"rank these folders in ROOMS: {sorted(folders - set(ROOMS))}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_import_from_a_higher_room(path):
    bad = upward_imports(module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert not bad, "\n".join(bad) + "\nmove the function to the room of its job instead"


def test_an_upward_import_is_caught_at_any_depth():
    """The check itself can fail: a function-level import from a higher room,
    a relative one, and a shared module reaching into a room are each found."""
    lazy = "def f():\n    from xlbilling.writers.xlsx import write_workbook\n"
    assert upward_imports("xlbilling.core.money", lazy)
    assert upward_imports("xlbilling.readers.acronis_usage", "from ..files import publish\n")
    assert upward_imports("xlbilling.pricing.engine", "import xlbilling.commands.cli\n")
    assert upward_imports("xlbilling.errors", "from xlbilling.core.money import D\n")
    assert upward_imports("xlbilling.writers.xlsx", "from xlbilling import main\n")
    assert upward_imports("xlbilling.ledger.store", "from xlbilling.excel import udfs\n")
    assert not upward_imports("xlbilling.commands.build", "from xlbilling.writers.xlsx import write_workbook\n")
    assert not upward_imports("xlbilling.core.money", "from xlbilling.errors import RuleInputError\n")
    assert not upward_imports("xlbilling.commands.cli", "from xlbilling import __version__\n")
