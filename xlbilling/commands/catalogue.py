"""`xlbilling catalogue`: the Excel functions, their signatures, what they
return and a worked example whose result is computed by calling the real UDF,
so the catalogue can never disagree with the code."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from xlbilling.errors import XlbillingError
from xlbilling.optional import guarded


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "catalogue",
        help="list the Excel functions (UDFs) with a worked example each",
        description="List the xlbilling Excel functions: signature, result and a worked example"
                    " computed by calling the function (`xlbilling help udfs`).",
        epilog="examples:\n  xlbilling catalogue\n      every function\n"
               "  xlbilling catalogue PRORATED_STORAGE BILLABLE_GB\n      only these",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these functions (e.g. PRORATED_STORAGE); default: all")
    parser.set_defaults(func=guarded(run))


def excel_text(value: Any) -> str:
    """A UDF result as Excel would show it: TRUE/FALSE, 68.97, 8400, text."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return str(value)


HEADER = """xlbilling Excel functions (category "xlbilling")
Any argument may be a cell, a column, a row or a block: the result spills in the same shape,
single values repeating for every cell. A blank cell takes the default shown;
a bad value shows e.g. "#VALUE! PRORATED_STORAGE: first_day: expected a date ..., found 'abc'"
in that row only.  Percentages are fractions (20% = 0.2)."""


def catalogue_text(names: list[str] | None = None) -> str:
    from xlbilling.excel.udfs import CATALOGUE

    wanted = {n.strip().upper() for n in names or []}
    known = {spec.name for spec, _ in CATALOGUE}
    unknown = sorted(wanted - known)
    if unknown:
        raise XlbillingError(f"unknown function(s) {', '.join(unknown)}: expected one of {', '.join(sorted(known))}")
    blocks: list[str] = [HEADER] if not wanted else []
    for spec, function in CATALOGUE:
        if wanted and spec.name not in wanted:
            continue
        lines = [spec.signature, f"    returns: {spec.returns}"]
        if spec.example is not None:
            result = function(*spec.example.values)
            lines.append(f"    example: ={spec.name}({spec.example.formula_args})  -> {excel_text(result)}"
                         f"   ({spec.example.arithmetic})")
            if spec.example.where:
                lines.append(f"             where {spec.example.where}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(catalogue_text(args.names))
    return 0
