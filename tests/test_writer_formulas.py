"""The written workbook recalculated headlessly by the `formulas` package with
the add-in's Python functions (xlbilling.excel.udfs) bound to their Excel names:
every UDF formula's live result equals the value written as its IFERROR
fallback (and cached), and every SUMIFS/COUNTIFS total equals Python's.

formulas registers custom functions through its function table:
`formulas.get_functions()[NAME] = callable`; arguments arrive as `Ranges`
(unwrapped below to the scalars Excel would pass).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import openpyxl
import pytest

import test_writer_fixtures as F
from xlbilling.writers import layout as L
from xlbilling.writers import xlsx

formulas = pytest.importorskip("formulas")

UDF_NAMES = ("ENDPOINT_CHARGE", "PRORATED_STORAGE", "COMMITMENT_FEE", "CONVERT_CURRENCY")


def _scalar(arg):
    value = getattr(arg, "value", arg)
    flat = np.asarray(value, dtype=object).ravel()
    v = flat[0] if flat.size else None
    return v.item() if isinstance(v, np.generic) else v


@pytest.fixture()
def bound_udfs():
    """Bind xlbilling.excel.udfs' functions under their Excel names; record every call.
    A UDF that fails (raises or returns an error text) is recorded as a failure:
    IFERROR would otherwise hide it behind the fallback."""
    from xlbilling.excel import udfs

    table = formulas.get_functions()
    saved = {n: table.get(n) for n in UDF_NAMES}
    calls: list[tuple[str, list, object]] = []

    def bind(name):
        func = getattr(udfs, name)

        def call(*args):
            values = [_scalar(a) for a in args]
            try:
                result = func(*values)
            except Exception as err:  # pragma: no cover - reported by the test
                calls.append((name, values, err))
                raise
            calls.append((name, values, result))
            return result

        return call

    for name in UDF_NAMES:
        table[name] = bind(name)
    yield calls
    for name, func in saved.items():
        if func is None:
            table.pop(name, None)
        else:
            table[name] = func


def _values(path):
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out = {}
    book = path.name.upper()
    for key, value in solution.items():
        prefix = f"'[{book}]"
        if not key.upper().startswith(prefix) or ":" in key:
            continue
        sheet, cell = key[len(prefix):].split("'!")
        out[(sheet.upper(), cell.upper())] = _scalar(value)
    return out


def test_udf_formulas_agree_with_written_values(tmp_path, bound_udfs):
    out = tmp_path / "billing.xlsx"
    xlsx.write_billing_workbook(out, F.sample_reads(), F.sample_result(), udf_formulas=True)
    calc = _values(out)
    wb = openpyxl.load_workbook(out)
    S = L.INVOICE_LINES
    ws = wb[S.name]
    col = S.letter("amount")
    n_udf = 0
    for i, (customer, item, amount, udf) in enumerate(F.expected_lines()):
        cell = f"{col}{L.FIRST_DATA_ROW + i}"
        got = calc[(S.name.upper(), cell)]
        assert Decimal(str(got)) == amount, (item, got)
        if udf:
            n_udf += 1
            assert ws[cell].value.startswith(f"=IFERROR({udf}(")
    # every UDF formula really ran (not the IFERROR fallback) and gave the written amount
    ok = [(n, v, r) for n, v, r in bound_udfs if isinstance(r, float)]
    assert len(ok) == n_udf == 6, bound_udfs
    expected_by_udf = sorted((u, float(a)) for _, _, a, u in F.expected_lines() if u)
    assert sorted((n, r) for n, _, r in ok) == expected_by_udf
    # the storage license got the dates and month as serial numbers (2026-10-10, -31, -01)
    storage = next(v for n, v, _ in ok if n == "PRORATED_STORAGE")
    assert storage[0] == 200 and storage[4] == "USD"
    assert [dt.date(1899, 12, 30) + dt.timedelta(days=d) for d in storage[1:4]] == \
        [dt.date(2026, 10, 10), dt.date(2026, 10, 31), dt.date(2026, 10, 1)]
    # the commitment fee's usage total comes from the other lines (23.45), commitment 100
    fee = next(v for n, v, _ in ok if n == "COMMITMENT_FEE")
    assert fee == [23.45, 100, "USD"]

    # totals: SUMIFS by customer and currency = Python totals; check column 0
    T = L.SUMMARY
    for i, ((customer, currency), total) in enumerate(F.EXPECTED_TOTALS.items()):
        r = L.FIRST_DATA_ROW + i
        assert wb[T.name][f"A{r}"].value == customer
        assert calc[(T.name.upper(), f"{T.letter('billed')}{r}")] == pytest.approx(float(total), abs=1e-9)
        assert calc[(T.name.upper(), f"{T.letter('check')}{r}")] == 0
    R = L.RECONCILIATION
    billed = [calc[(R.name.upper(), f"{R.letter('billed')}{r}")] for r in range(5, 10)]
    assert billed == pytest.approx([100.0, 18.52, 364.44, 16.67, 6908.0], abs=1e-9)
