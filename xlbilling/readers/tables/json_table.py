"""JSON (Altaro's API link for some accounts): a list of row objects -> one
`Table`, keys as the header row, nesting bounded.
"""
from __future__ import annotations

import json

from xlbilling.errors import LimitError, UnrecognisedReportError
from xlbilling.readers.integrity import grid_cells_limit
from xlbilling.readers.tables.table import PREVIEW_ROWS, Table, grid_loader
from xlbilling.readers.tables.text import decode_text

def json_table(data: bytes, file: str) -> Table:
    text, encoding = decode_text(data, file)
    try:
        obj = json.loads(text)
    except RecursionError:
        raise LimitError(f"{file}: JSON nested deeper than xlbilling reads (a report is a list of rows, two levels);"
                         " refusing it") from None
    except json.JSONDecodeError as err:
        raise UnrecognisedReportError(f"{file}: looks like JSON but cannot be parsed ({err}); the file may be"
                                      " truncated") from None
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        obj = lists[0] if len(lists) == 1 else obj
    if not isinstance(obj, list) or not all(isinstance(o, dict) for o in obj):
        raise UnrecognisedReportError(f"{file}: JSON but not a list of objects (rows); expected e.g."
                                      ' [{"Customer": ..., "Object Name": ..., "Object Type Backed Up": ...}]')
    keys: list[str] = []
    seen: set[str] = set()
    for o in obj:
        for k in o:
            if k not in seen:
                seen.add(k)
                keys.append(k)
    # Row numbers as if the list were a sheet: header row 1, first object row 2.
    grid_cells_limit(file, len(obj), len(keys), "JSON list")
    grid: list[list[object]] = [list(keys)]
    for n, o in enumerate(obj, start=2):
        try:
            grid.append([_json_cell(o.get(k)) for k in keys])
        except LimitError as err:
            raise LimitError(f"{file}: row {n} (object {n - 1}): {err}") from None
    return Table(file, "json", None, grid[:PREVIEW_ROWS], grid_loader(grid), encoding=encoding)


def _json_cell(v: object) -> object:
    if isinstance(v, (dict, list)):
        if _depth(v) > MAX_JSON_CELL_DEPTH:
            raise LimitError(f"a JSON value nested more than {MAX_JSON_CELL_DEPTH} levels inside a row; refusing it")
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v)  # JSON numbers as text, parsed exactly later
    return v


MAX_JSON_CELL_DEPTH = 32


def _depth(v: object) -> int:
    """Nesting depth of a JSON value, without recursion."""
    depth, level = 0, [v]
    while level:
        depth += 1
        if depth > MAX_JSON_CELL_DEPTH:
            return depth
        level = [c for x in level for c in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else ())
                 if isinstance(c, (dict, list))]
    return depth
