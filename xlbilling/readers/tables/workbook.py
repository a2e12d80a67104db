"""Workbooks (.xls and .xlsx) -> one `Table` per sheet, via python-calamine
(fast, reads BIFF .xls and .xlsx), after readers/integrity.py's bounds.
"""
from __future__ import annotations

import io

from xlbilling.errors import UnrecognisedReportError
from xlbilling.readers.integrity import check_xlsx, refuse_own_workbook
from xlbilling.readers.tables.table import PREVIEW_ROWS, Table, grid_loader

def workbook_tables(data: bytes, file: str, kind: str) -> list[Table]:
    import python_calamine as pc

    if kind == "xlsx":
        # member sizes, inflation ratio, CRCs and each sheet's used area, all checked
        # while streaming and before calamine (which aborts on a huge grid)
        check_xlsx(data, file)
    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as err:  # calamine raises its own and plain errors for damaged files
        raise UnrecognisedReportError(f"{file}: cannot open it as .{kind} ({type(err).__name__}: {err});"
                                      " the file may be damaged or password-protected") from None
    refuse_own_workbook(file, wb.sheet_names)
    tables: list[Table] = []
    try:
        for name in wb.sheet_names:
            try:
                grid = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as err:
                raise UnrecognisedReportError(f"{file}: sheet {name!r} cannot be read ({err})") from None
            preview = [[None if c == "" else c for c in row] for row in grid[:PREVIEW_ROWS]]
            tables.append(Table(file, kind, name, preview, grid_loader(grid)))
    finally:
        wb.close()
    return tables
