"""How long LibreOffice takes to open and recalculate the billing workbook,
against the same workbook holding plain values.

    python benchmarks/bench_open.py                   # 5,000 customers
    python benchmarks/bench_open.py --sizes 5000 20000 --verify
    python benchmarks/bench_open.py --udf-formulas    # also the --udf-formulas workbook

For each size it generates the synthetic month of bench_build.py, prices it
and writes:

- **formulas**: the workbook as `xlbilling build` writes it (totals are
  SUMIFS/COUNTIFS over each invoice's block of lines, Check columns, margins);
- **values** (the baseline): the same file with every formula removed and its
  cached value kept (`<f>` elements dropped), so it holds exactly the same
  cells, styles and sheets with nothing to calculate;
- with `--udf-formulas`, also **udf**: Amount cells as `=IFERROR(UDF(...),v)+0`
  (LibreOffice does not know the functions: each falls back to its value).

Each is converted by headless LibreOffice to CSV (first sheet) with a private
profile that recalculates on load (OOXMLRecalcMode 0, as tests/lo.py): that is
load + full recalculation + writing one small sheet.  The runs alternate
(values, formulas, values, formulas ...) and the best of `--repeat` is kept;
wall time and the CPU time LibreOffice used (its processes' user + system
time) are both printed, because the machine is shared and wall time moves with
the others' load.  A tiny workbook is timed the same way: LibreOffice's own
start-up, included in every figure.

`--verify` also converts the formulas workbook to CSV with every sheet and
checks every recalculated Summary and Reconciliation total against Python's
figures and every Check against 0.  Prints figures only; nothing here is a test.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_RATIO = 1.5
TOLERANCE = Decimal("1e-9")   # a spreadsheet's sum of binary floats vs the exact decimal total (Check rounds to 6)
CSV_ONE = "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false"
CSV_ALL = CSV_ONE + ",-1"          # every sheet, one file per sheet (LibreOffice 7.2+)


def values_copy(src: Path, dst: Path) -> int:
    """`src` with every formula replaced by its cached value; returns how many."""
    removed = 0
    str_cell = re.compile(r'<c ([^>]*?) t="str"><f>[^<]*</f><v>([^<]*)</v></c>')
    formula = re.compile(r"<f>[^<]*</f>")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text, n1 = str_cell.subn(lambda m: f'<c {m.group(1)} t="inlineStr"><is><t>{m.group(2)}</t></is></c>'
                                         if m.group(2) else f"<c {m.group(1)}/>", text)
                text, n2 = formula.subn("", text)
                removed += n1 + n2
                data = text.encode("utf-8")
            zout.writestr(info.filename, data)
    return removed


def build_month(n: int, folder: Path, udf: bool) -> dict:
    """Generate, price and write the workbooks of one size (in this process)."""
    import bench_build as B
    from xlbilling.core.rules.x360recover import parse_month
    from xlbilling.pricing.engine import price_month
    from xlbilling.pricing.pricebook import load_pricebook
    from xlbilling.pricing.run import read_reports
    from xlbilling.writers.xlsx import write_billing_workbook

    reports, pb_path = B.generate(n, folder)
    month = parse_month(B.MONTH)
    pb = load_pricebook(pb_path)
    reads = read_reports(reports, pb, month)
    result = price_month(reads, pb, month)
    paths = {"formulas": folder / "formulas.xlsx", "values": folder / "values.xlsx"}
    write_billing_workbook(paths["formulas"], reads, result, force=True)
    n_formulas = values_copy(paths["formulas"], paths["values"])
    if udf:
        paths["udf"] = folder / "udf.xlsx"
        write_billing_workbook(paths["udf"], reads, result, force=True, udf_formulas=True)
    expected = {
        "summary": [(inv.customer, inv.currency, str(inv.total)) for inv in result.invoices],
        "recon": [(r.customer, r.vendor, r.currency, str(r.billed)) for r in result.reconciliation],
    }
    (folder / "expected.json").write_text(json.dumps(expected))
    return {"paths": {k: str(v) for k, v in paths.items()}, "formulas": n_formulas, "lines": len(result.lines),
            "invoices": len(result.invoices), "mib": paths["formulas"].stat().st_size / 2 ** 20}


def lo_time(path: Path, out_dir: Path, to: str = CSV_ONE) -> tuple[float, float]:
    """(wall s, LibreOffice CPU s) of one headless open + recalculation + CSV save."""
    import lo

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    lo.convert([path], out_dir, to=to)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def verify(path: Path, folder: Path) -> str:
    """Every recalculated Summary / Reconciliation total equals Python's, every Check is 0."""
    from xlbilling.writers import layout as L

    out = folder / "verify"
    try:
        lo_time(path, out, CSV_ALL)
    except AssertionError:   # lo.convert looks for one formulas.csv; every sheet came as formulas-<sheet>.csv
        if not (out / f"{path.stem}-{L.SUMMARY.name}.csv").exists():
            raise
    expected = json.loads((folder / "expected.json").read_text())

    def rows(sheet: str) -> list[list[str]]:
        with open(out / f"{path.stem}-{sheet}.csv", encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))[L.FIRST_DATA_ROW - 1:]

    bad = []
    S = L.SUMMARY
    got = rows(S.name)
    for i, (customer, currency, total) in enumerate(expected["summary"]):
        row = got[i]
        billed, check = Decimal(row[S.index("billed") - 1]), Decimal(row[S.index("check") - 1])
        if row[0] != customer or abs(billed - Decimal(total)) > TOLERANCE or check != 0:
            bad.append(("Summary", i + L.FIRST_DATA_ROW, row[:7], total))
    R = L.RECONCILIATION
    got = rows(R.name)
    for i, (customer, vendor, currency, billed_py) in enumerate(expected["recon"]):
        row = got[i]
        billed, check = Decimal(row[R.index("billed") - 1]), Decimal(row[R.index("check") - 1])
        if row[0] != customer or abs(billed - Decimal(billed_py)) > TOLERANCE or check != 0:
            bad.append(("Reconciliation", i + L.FIRST_DATA_ROW, row[:9], billed_py))
    if bad:
        return f"MISMATCH in {len(bad)} rows, first: {bad[:3]}"
    return (f"verified: {len(expected['summary']):,} Summary and {len(expected['recon']):,} Reconciliation totals"
            " = Python, every Check 0")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--udf-formulas", action="store_true", help="also time the --udf-formulas workbook")
    ap.add_argument("--verify", action="store_true", help="check the recalculated totals against Python")
    ap.add_argument("--keep", metavar="DIR")
    ap.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.build:   # child process: build one size, print facts
        print(json.dumps(build_month(int(args.build[0]), Path(args.build[1]), args.udf_formulas)))
        return 0
    import lo

    lo.TIMEOUT_S = 3600
    if lo.soffice() is None:
        print("LibreOffice (soffice) is not installed", file=sys.stderr)
        return 2
    print(f"LibreOffice open + recalculate benchmark, {os.cpu_count()} cores shared with other work;"
          " best of", args.repeat)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xlb-open-"))
    tiny = base / "tiny"
    tiny_facts = json.loads(subprocess.run([sys.executable, __file__, "--build", "5", str(tiny)],
                                           capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    startup = min(lo_time(Path(tiny_facts["paths"]["values"]), tiny / "out") for _ in range(args.repeat))
    print(f"LibreOffice start-up (a 5-customer workbook): {startup[0]:.1f} s wall, {startup[1]:.1f} s CPU")
    for n in args.sizes:
        folder = base / f"n{n}"
        cmd = [sys.executable, __file__, "--build", str(n), str(folder)] + (["--udf-formulas"] if args.udf_formulas else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        facts = json.loads(proc.stdout.splitlines()[-1])
        kinds = list(facts["paths"])
        best = {k: (float("inf"), float("inf")) for k in kinds}
        order = ["values", "formulas"] + [k for k in kinds if k not in ("values", "formulas")]
        for _ in range(args.repeat):
            for k in order:
                wall, cpu = lo_time(Path(facts["paths"][k]), folder / f"out-{k}")
                best[k] = (min(best[k][0], wall), min(best[k][1], cpu))
        print(f"\n{n:,} customers: {facts['invoices']:,} invoices, {facts['lines']:,} invoice lines,"
              f" {facts['formulas']:,} formulas, {facts['mib']:.1f} MiB")
        print(f"{'workbook':>10} {'wall s':>8} {'CPU s':>8} {'x values (wall)':>16} {'x values (CPU)':>15}")
        for k in order:
            w, c = best[k]
            print(f"{k:>10} {w:>8.1f} {c:>8.1f} {w / best['values'][0]:>16.2f} {c / best['values'][1]:>15.2f}")
        ratio = best["formulas"][1] / best["values"][1]
        print(f"formulas / values: {ratio:.2f}x CPU ({'meets' if ratio <= TARGET_RATIO else 'MISSES'} the"
              f" {TARGET_RATIO}x target), {best['formulas'][0] / best['values'][0]:.2f}x wall")
        if args.verify:
            print(verify(Path(facts["paths"]["formulas"]), folder))
    if not args.keep:
        import shutil

        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
