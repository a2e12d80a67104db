"""The price-book workbook opened safely and read as rows by header name.

Why apart from the validation: this is the only part of price-book loading
that touches a file (xlbilling.files.xlsx_open checks the zip's sizes before
unzipping, then python-calamine reads cached values only), and the part that
refuses a workbook that is plainly not a price book (a vendor report, a
billing workbook), naming what it is."""
from __future__ import annotations

import os

from xlbilling.errors import PriceBookError, XlbillingError
from xlbilling.files.xlsx_open import formulas_without_values, read_sheet_grids
from xlbilling.pricing.pricebook_cells import MAX_LISTED, CellProblems, header_key
from xlbilling.pricing.schema import REQUIRED_SHEETS, SHEETS

MAX_PRICEBOOK_BYTES = 200 * 1024 * 1024  # a price book is a few MB unzipped; refuse anything near a zip bomb


def read_sheet(sheet_names, grids, name: str, problems: CellProblems) -> list[tuple[int, dict[str, object]]] | None:
    """Rows of a sheet as {header: value} (headers as in SHEETS), blank rows skipped."""
    if name not in sheet_names:
        if name in REQUIRED_SHEETS:
            problems.add(name, None, None, None, f"a sheet named {name!r}",
                         "restore it from a price book `xlbilling pricebook init` wrote")
        return None
    rows = iter(grids.get(name, ()))
    header = next(rows, None) or ()
    wanted = {header_key(h): h for h, _, _, _ in SHEETS[name]}
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        k = header_key(h)
        if k in wanted and wanted[k] not in index:
            index[wanted[k]] = i
    missing = [h for h, _, _, req in SHEETS[name] if req and h not in index]
    if missing:
        problems.add(name, 1, None, [h for h in header if h is not None],
                     f"header(s) {', '.join(missing)} in row 1", "restore the column header from the template")
        return None
    out = []
    for r, values in enumerate(rows, start=2):
        rec = {h: (values[i] if i < len(values) else None) for h, i in index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in rec.values()):
            continue
        out.append((r, rec))
    return out


# Sheets that mark an xlbilling billing workbook (writers/layout.py names them).
_BILLING_SHEETS = ("Summary", "Invoice lines", "Problems")


def what_report(path: str) -> str:
    """What vendor report `path` is, in words ('' when it is none xlbilling knows)."""
    try:
        from xlbilling.readers import READERS, identify

        info = identify(path)
    except Exception:  # any failure just means: not a report we recognise
        return ""
    return next((r.description for r in READERS if r.name == info.reader), info.reader)


def refuse_other_workbook(path: str, sheetnames: list[str]) -> None:
    """A workbook that is plainly not a price book (a vendor report, a billing
    workbook) is named for what it is, instead of a list of missing sheets."""
    missing = [s for s in REQUIRED_SHEETS if s not in sheetnames]
    if len(missing) < 2:
        return  # a price book with a sheet renamed or deleted: the per-sheet problems say which
    has = ", ".join(repr(s) for s in sheetnames[:6]) + (", ..." if len(sheetnames) > 6 else "")
    expected = (f"a price book is an .xlsx workbook with the sheets {', '.join(REQUIRED_SHEETS)}"
                + (f"; this one has {has}" if sheetnames else ""))
    if all(s in sheetnames for s in _BILLING_SHEETS):
        raise PriceBookError(f"{path} is an xlbilling billing workbook, not a price book ({expected}): give your"
                             " price book with --pricebook")
    report = what_report(path)
    if report:
        raise PriceBookError(f"{path} is a vendor report ({report}), not a price book ({expected}): give it as a"
                             " REPORT, and your price book with --pricebook (start one with `xlbilling pricebook"
                             " init REPORT... --out pricebook.xlsx`)")
    raise PriceBookError(f"{path} is not a price book ({expected}): give your price book with --pricebook, or start"
                         " one with `xlbilling pricebook init REPORT... --out pricebook.xlsx`")


def root_reason(exc: BaseException) -> str:
    """The innermost cause of a workbook failure, said plainly: openpyxl wraps
    the XML parser's refusal in "please see the exception for more details"."""
    inner = exc
    while (inner.__cause__ or inner.__context__) is not None and inner is not (inner.__cause__ or inner.__context__):
        inner = inner.__cause__ or inner.__context__
    kind = type(inner).__name__
    if kind in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return (f"its XML declares entities or a DTD ({kind}), which xlbilling refuses: that is how XML entity"
                " expansion ('billion laughs') and external-entity attacks work")
    text = str(inner).splitlines()[0] if str(inner) else ""
    return f"{kind}: {text[:200]}" if text else kind


def check_formulas_have_values(path: str, problems: CellProblems) -> None:
    """A formula cell with no saved result reads as blank: name it instead."""
    try:
        cells = formulas_without_values(path, set(SHEETS))
    except Exception:  # the workbook opened above; a part we cannot scan is openpyxl's business
        return
    for sheet, ref, formula in cells[:MAX_LISTED]:
        problems.items.append(f"sheet {sheet!r}, cell {ref}: a formula (={formula[:60]}) without a saved result,"
                              " read as blank; open and save the price book in Excel or LibreOffice so the result"
                              " is stored, or type the value")


def read_pricebook_sheets(name: str, problems: CellProblems) -> dict:
    """The price book's sheets as (row, record) lists; a file that is not a price
    book is refused naming what it is."""
    try:
        # files/xlsx_open: zip sizes checked before unzipping, then python-calamine (cached values only)
        sheet_names, grids = read_sheet_grids(name, SHEETS, max_unzipped_bytes=MAX_PRICEBOOK_BYTES)
    except PriceBookError:
        raise
    except XlbillingError as exc:
        report = what_report(name) if os.path.isfile(name) else ""
        if report:  # a CSV or .xls report given as --pricebook
            refuse_other_workbook(name, [])
        raise PriceBookError(f"price book {name}: {exc}") from None
    except OSError as exc:
        raise PriceBookError(f"price book {name}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # calamine's and the zip/XML parsers' exception types for a damaged file
        if os.path.isfile(name) and what_report(name):
            refuse_other_workbook(name, [])
        raise PriceBookError(f"price book {name}: cannot be opened as an .xlsx workbook ({root_reason(exc)});"
                             " save it from Excel as 'Excel Workbook (*.xlsx)'") from None
    refuse_other_workbook(name, sheet_names)
    sheets = {s: read_sheet(sheet_names, grids, s, problems) for s in SHEETS}
    check_formulas_have_values(name, problems)
    return sheets
