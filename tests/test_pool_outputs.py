"""The x360Recover pool is visible: a Cloud pool sheet in the billing workbook
and a pool section under `xlbilling lines`, from PricingResult.pool_rows."""
from __future__ import annotations

from decimal import Decimal

import openpyxl

from tests.test_vendor_x360recover import storage, _two_customers
from xlbilling.commands.lines import _table
from xlbilling.writers import layout as L
from xlbilling.writers.xlsx import write_billing_workbook

D = Decimal


def _result():
    # A: storage licenses 1TB then 2TB cover November (3000 GB outside the pool);
    # B: 1 server license = 2000 GB allowance, 2500 GB used -> 500 GB overage, all B's
    return _two_customers([storage("a", "2026-11-01", "2026-11-15", "1TB"), storage("a", "2026-11-16", "", "2TB")])


def test_cloud_pool_sheet_shows_allowance_usage_and_allocation(tmp_path):
    out = tmp_path / "billing.xlsx"
    write_billing_workbook(out, [], _result())
    ws = openpyxl.load_workbook(out, data_only=True)[L.CLOUD_POOL.name]
    rows = [[c.value for c in row][:8] for row in ws.iter_rows(min_row=L.FIRST_DATA_ROW, max_row=L.FIRST_DATA_ROW + 2)]
    assert [c.value for c in ws[L.HEADER_ROW]][:4] == ["Customer", "Server licenses", "Workstation licenses",
                                                        "Allowance GB"]
    # customer, servers, workstations, allowance, used, above, billed, storage-licensed
    assert rows == [
        ["A", 0, 0, 0, 0, 0, 0, 3000],                  # storage-licensed all month: outside the pool
        ["B", 1, 0, 2000, 2500, 500, 500, 0],           # 2500 - 2000 = 500 above, all of the overage
        [L.POOL_TOTAL_LABEL, 1, 0, 2000, 2500, 500, 500, 3000],
    ]


def test_lines_table_has_the_pool_section():
    text = _table(_result())
    section = text[text.index("x360Recover cloud pool"):].splitlines()
    assert section[1].split() == ["A", "0", "0", "0", "0", "3000"]
    assert section[2].split() == ["B", "2000", "2500", "500", "500", "0"]
    assert section[3].split()[-5:] == ["2000", "2500", "500", "500", "3000"]
