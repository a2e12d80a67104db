"""A workbook cell holding infinity is a bad cell in the column path too (Cells.numbers
used to turn it into Decimal('Infinity'): repr 'inf' has no 'e' and few digits)."""
from __future__ import annotations

import shutil
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from xlbilling.errors import BadCellsError
from xlbilling.readers import read_report
from xlbilling.readers.cells import Cells

BFF = ["AccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired", "CanViewCompressed",
       "UncompressedDiskGB", "CompressedDiskGB", "BillableDiskGB", "LocalBackupIsBillable",
       "LocalBillableNumServers", "LocalBillableNumNonServers", "LocalNumServers", "LocalNumNonServers",
       "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "LocalBillableDiskGB", "ProvisionedMailboxes",
       "BillableMailboxes"]


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_column_path_refuses_what_the_cell_path_refuses(value):
    one, column = Cells("f.xlsx", None), Cells("f.xlsx", None)
    assert one.number(value, 2, "GB") is None
    assert column.numbers([value, 1.5], [2, 3], "GB") == [None, Decimal("1.5")]
    assert [p.expected for p in column.problems] == [p.expected for p in one.problems]


def test_an_xlsx_cell_reading_inf_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Raw Customer Data"
    ws.append(BFF)
    ws.append([100001, "a", "Cust", "Select", 0, 0, 0, 7, 1.0, 1.0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0, 0])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    hostile = tmp_path / "inf.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(hostile, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<c r="H2" t="n"><v>7</v></c>' in data
                data = data.replace(b'<c r="H2" t="n"><v>7</v></c>', b'<c r="H2" t="n"><v>inf</v></c>')
            dst.writestr(info, data)
    assert [(r.item, r.quantity) for r in read_report(plain).records] == [("online_gb", Decimal(7))]
    with pytest.raises(BadCellsError) as err:
        read_report(hostile)
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "UncompressedDiskGB")]
