"""The pricing package reads as a house: one unit per vendor model, all of one
shape, an orchestrator that names no vendor, short functions, pure modules."""
from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from xlbilling.core.records import VENDORS
from xlbilling.pricing.charges import MappedUsage, UnitResult
from xlbilling.pricing.model import PriceBook, Settings
from xlbilling.pricing.vendors import UNITS

PRICING = Path(__file__).resolve().parents[1] / "xlbilling" / "pricing"

VENDOR_KEYS = set(VENDORS) | set(UNITS)


def _modules():
    return sorted(PRICING.rglob("*.py"))


def _strings(tree: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_every_vendor_has_a_unit_of_the_same_shape():
    assert set(VENDORS) <= set(UNITS)
    for vendor, unit in UNITS.items():
        assert unit.VENDOR == vendor and unit.LABEL and isinstance(unit.LABELS, dict)
        out = unit.price(MappedUsage(vendor), PriceBook("pb.xlsx", Settings()), dt.date(2026, 11, 1))
        assert isinstance(out, UnitResult) and out.charges == [] and out.problems == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PRICING)))
def test_no_vendor_named_outside_its_own_unit(path):
    named = _strings(ast.parse(path.read_text())) & VENDOR_KEYS
    if path.parent.name == "vendors" and path.stem in {u.__name__.rsplit(".", 1)[1] for u in UNITS.values()}:
        own = next(v for v, u in UNITS.items() if u.__name__.endswith("." + path.stem))
        named -= {own}
    assert not named, f"{path.name} names vendor(s) {sorted(named)}: move that rule into the vendor's unit"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PRICING)))
def test_functions_are_short(path):
    tree = ast.parse(path.read_text())
    long = [(n.name, n.end_lineno - n.lineno + 1) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 60]
    assert not long, f"{path.name}: functions over 60 lines {long}"
