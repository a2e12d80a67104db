"""Reader benchmark: xlbilling's readers next to named baselines doing the same
work on the same generated files, measured in the same run (no timed assertions).

    python benchmarks/bench_readers.py                 # full sizes (a few minutes)
    python benchmarks/bench_readers.py --scale 0.1     # a tenth of the rows
    python benchmarks/bench_readers.py --only acronis --repeat 3

Needs the `bench` extra (pip install -e ".[bench]": DuckDB).  Files are
generated into a temporary folder (deterministic).  Every job runs in a child
process of its own, `--repeat` times (best time and its peak RSS printed), so
memory figures do not mix; peak RSS (ru_maxrss) includes the interpreter and
imports - an idle child's figure is printed as the floor.  The two sides' runs
alternate (ours, baseline, ours, ...), so a slow spell falls on both alike.  Each case prints
whether the answers agree (a digest of every record: account, item, exact
quantity, number of source rows).

What each side does (the same answer: the records the reader returns):
  * Acronis csv_v2_0, 1,000,000 rows -> one exact quantity per (tenant, item):
      xlbilling  read_report: sniff, header match, every cell checked (bad cells
                 collected), usage column chosen per row (total / production,
                 absolute / delta), feature switches and zero sums skipped,
                 exact integer sums, bytes -> GB, seconds -> points, source rows.
      DuckDB     read_csv (all columns as text), the same column choice in SQL,
                 storage keyed by backend, *_child_storages on partner-owned infra,
                 CAST to HUGEINT (exact; a bad cell aborts), SUM per (tenant, item)
                 and of the production figure, list of source row numbers; then the
                 same Decimal GB / point (2 decimals) conversion, zero quantities dropped.
  * Altaro itemised CSV, 1,000,000 rows -> billed users per customer:
      xlbilling  read_report: the rule's type filter, trimmed case-insensitive
                 names, count and source rows per customer, merged-spelling
                 warnings, skipped rows listed.
      pandas     read_csv(engine="pyarrow"), pd.factorize of each column, type
                 filter and name normalisation on the distinct values, distinct
                 (customer, name) codes counted, source rows per customer.
  * Axcient BFF .xlsx, 20,000 rows -> the five items per account:
      xlbilling  read_report: calamine, every cell checked, flags, Basic-plan
                 rule, local devices only where billable, deleted/expired skipped.
      pandas     read_excel(engine="calamine"), the same selections vectorised
                 (deleted/expired, Basic, LocalBackupIsBillable), groupby
                 AccountNo sum, quantities to Decimal at Excel's 15 digits.
CPU is the child's user + system time for the job (all threads): on a machine shared with other
jobs it varies less than the wall-clock seconds, which the targets are judged on.
Targets (issue 13): Acronis at most 1.5x DuckDB's time and under 600 MiB;
Altaro at most the pandas time; Axcient at most 1.5x pandas + calamine.
Measured figures depend on the machine's load: both sides run in the same run.
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GiB = 1024 ** 3
ACRONIS_ITEMS = ["pw_base_storage", "pw_base_workstations", "pw_base_servers", "pw_base_vms", "pw_base_m365_seats",
                 "local_storage", "dr_compute_points", "pw_base_m365_mailboxes"]


def child(job: str, path: str) -> None:
    """Run one job in this (child) process and print its figures as JSON."""
    import pandas  # noqa: F401  - imported before timing in every job, baseline or not

    fn = JOBS[job]
    if job.endswith("duckdb"):
        import duckdb  # noqa: F401
    import xlbilling.readers  # noqa: F401  - imports outside the timed part, for every side
    before = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    result = fn(Path(path)) if fn is not None else None
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mib = after.ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": peak_mib, "digest": digest(job, result)}))


def run_once(job: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--job", job, str(path)], check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(job: str, path: Path, repeat: int) -> dict:
    return min((run_once(job, path) for _ in range(repeat)), key=lambda m: m["seconds"])


def run_pair(job: str, baseline: str, path: Path, repeat: int) -> tuple[dict, dict]:
    """Both sides' best of `repeat`, their runs interleaved (ours, baseline, ours, ...)
    so that a slow spell of a shared machine falls on both sides alike."""
    ours, base = [], []
    for _ in range(repeat):
        ours.append(run_once(job, path))
        base.append(run_once(baseline, path))
    return min(ours, key=lambda m: m["seconds"]), min(base, key=lambda m: m["seconds"])


def digest(job: str, result) -> object:
    """Every record as (account, item, exact quantity, source row count), sorted."""
    if result is None:
        return None
    if hasattr(result, "records"):
        return sorted([r.account, r.item, format(r.quantity, "f"), len(r.source.rows)] for r in result.records)
    return sorted(result)


# --- Acronis ------------------------------------------------------------------------

def make_acronis(path: Path, rows: int) -> None:
    rnd = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["application.id", "edition", "infra.backend_type", "infra.id", "infra.owner_id", "name",
                    "tenant.id", "tenant.kind", "tenant.name", "usage.absolute.production", "usage.absolute.total",
                    "usage.absolute.trial", "usage.delta.production", "usage.delta.total", "usage.delta.trial",
                    "usage.effective.production", "usage.effective.total", "usage.effective.trial"])
        for _ in range(rows):
            t = rnd.randrange(5000)
            item = rnd.choice(ACRONIS_ITEMS)
            v = rnd.randrange(1, 2000 * GiB) if "storage" in item else rnd.randrange(0, 50)
            w.writerow(["app", "standard", "azure", f"infra-{rnd.randrange(4)}", "owner", item, f"tenant-{t:05d}",
                        "partner" if t < 10 else "customer", f"Customer {t}", v, v, 0, v, v, 0, v, v, 0])


ACRONIS_SQL = """
WITH src AS (
    SELECT row_number() OVER () + 1 AS rn, * FROM read_csv(?, all_varchar = true, header = true)
), tenants AS (
    SELECT DISTINCT trim("tenant.id") AS t FROM src
), typed AS (
    SELECT rn, trim("tenant.id") AS tenant, trim(name) AS item, lower(name) LIKE '%compute_point%' AS points,
           lower(name) LIKE '%storage%' OR lower(name) LIKE '%physical_data%' AS storage,
           lower(trim("tenant.kind")) IN ('partner', 'folder', 'reseller') AS partner,
           trim("infra.backend_type") AS backend,
           trim("infra.owner_id") IN (SELECT t FROM tenants) AND trim("infra.id") <> '' AS partner_infra,
           "usage.absolute.production" AS abs_p, "usage.absolute.total" AS abs_t,
           "usage.delta.production" AS del_p, "usage.delta.total" AS del_t
    FROM src
), picked AS (
    SELECT rn, tenant,
           -- storage keyed by backend; the four storage items on partner-owned infra -> *_child_storages
           CASE WHEN partner_infra AND item IN ('pg_storage', 'pw_storage') THEN 'pg_child_storages'
                WHEN partner_infra AND item = 'pw_dr_storage' THEN 'pw_dr_child_storages'
                WHEN partner_infra AND item = 'fc_storage' THEN 'fc_child_storages' ELSE item END
           || CASE WHEN storage AND backend <> '' THEN ':' || backend ELSE '' END AS metric,
           CAST(CASE WHEN points THEN (CASE WHEN partner THEN del_p ELSE del_t END)
                     ELSE (CASE WHEN partner THEN abs_p ELSE abs_t END) END AS HUGEINT) AS v,
           CASE WHEN NOT partner THEN CAST(CASE WHEN points THEN del_p ELSE abs_p END AS HUGEINT) END AS prod
    FROM typed
    WHERE lower(item) <> 'pw_base_m365_mailboxes' AND tenant <> '' AND item <> ''
)
SELECT tenant, metric, CAST(sum(v) AS VARCHAR) AS raw, CAST(sum(prod) AS VARCHAR) AS production,
       list(rn ORDER BY rn) AS rows
FROM picked GROUP BY tenant, metric
"""


def duckdb_acronis(path: Path) -> list:
    import decimal
    from decimal import ROUND_HALF_UP

    import duckdb

    con = duckdb.connect()
    out = []
    exact = decimal.Context(prec=80)

    def convert(raw: Decimal, key: str) -> Decimal:
        if "compute_point" in key:
            return (raw / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if "storage" in key or "physical_data" in key:
            return exact.divide(raw, Decimal(GiB))
        return raw

    for tenant, metric, raw, production, rows in con.execute(ACRONIS_SQL, [str(path)]).fetchall():
        key = metric.casefold()
        quantity = convert(Decimal(raw), key)
        if quantity == 0:
            continue  # zero quantities are not billed
        if production is not None:
            convert(Decimal(production), key)  # the production figure kept for the trial setting
        out.append([tenant, metric, format(quantity, "f"), len(rows)])
    return out


# --- Altaro -------------------------------------------------------------------------

def make_altaro(path: Path, rows: int) -> None:
    rnd = random.Random(2)
    types = ["Mailbox", "OneDrive", "User Teams Chats", "N/A", "SharePoint Site", "Teams"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Customer", "Product", "Object Type Backed Up", "Object Name", "Object Id", "Month",
                    "Backed Up Size (MB)"])
        for i in range(rows):
            c = rnd.randrange(400)
            u = rnd.randrange(60)
            name = f"User {c}-{u}" if rnd.random() > 0.01 else f"user {c}-{u} "
            w.writerow([f"Customer {c:03d}", "365 Total Backup", rnd.choice(types), name, f"o{i}", "2026-10",
                        rnd.randrange(1, 90000)])


def pandas_altaro(path: Path) -> list:
    """pandas + factorize: the distinct values carry the per-value work."""
    import numpy as np
    import pandas as pd

    df = pd.read_csv(path, engine="pyarrow", dtype=str, usecols=["Customer", "Object Type Backed Up", "Object Name"],
                     keep_default_na=False)
    billed = {"mailbox", "n/a", "onedrive", "user teams chats"}
    t_codes, t_values = pd.factorize(df["Object Type Backed Up"])
    n_codes, n_values = pd.factorize(df["Object Name"])
    c_codes, c_values = pd.factorize(df["Customer"])
    type_ok = np.array([str(v).strip().casefold() in billed for v in t_values], dtype=bool)
    norm_codes, norm_values = pd.factorize(pd.Series([" ".join(str(v).split()).casefold() for v in n_values]))
    named = np.array([bool(v) for v in norm_values], dtype=bool)[norm_codes]
    use = type_ok[t_codes] & named[n_codes]
    cust = c_codes[use]
    user = norm_codes[n_codes[use]]
    pair = np.unique(cust.astype(np.int64) * (len(norm_values) + 1) + user)
    counts = np.bincount(pair // (len(norm_values) + 1), minlength=len(c_values))
    rows = np.arange(2, len(df) + 2)[use]
    order = np.argsort(cust, kind="stable")
    per_customer = np.bincount(cust, minlength=len(c_values))
    by_customer = dict(zip(range(len(c_values)), np.split(rows[order], np.cumsum(per_customer)[:-1])))
    return [[str(c_values[c]).strip(), "m365_users", str(int(counts[c])), len(by_customer[c])]
            for c in range(len(c_values)) if counts[c]]


# --- Axcient BFF -------------------------------------------------------------------

BFF_COLUMNS = ["AccountNo", "AccountName", "InternalDescription", "SPlan", "IsDel", "IsExpired",
               "CanViewCompressed", "UncompressedDiskGB", "CompressedDiskGB", "BillableDiskGB",
               "LocalBackupIsBillable", "LocalBillableNumServers", "LocalBillableNumNonServers", "LocalNumServers",
               "LocalNumNonServers", "LocalUncompressedDiskGB", "LocalCompressedDiskGB", "LocalBillableDiskGB",
               "ProvisionedMailboxes", "BillableMailboxes"]


def make_bff_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    rnd = random.Random(3)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Raw Customer Data")
    ws.append(BFF_COLUMNS)
    for i in range(rows):
        unc = round(rnd.uniform(0, 5000), 2)
        ws.append([100000 + i, f"acct{i}", f"Customer {i % 3000}", rnd.choice(["Select", "Basic", "Trial"]),
                   int(rnd.random() < 0.03), int(rnd.random() < 0.02), rnd.randrange(2), unc, round(unc * 0.6, 2),
                   unc, rnd.randrange(2), rnd.randrange(3), rnd.randrange(5), 3, 6, round(unc * 1.5, 2),
                   round(unc * 0.8, 2), round(unc * 1.5, 2), rnd.randrange(30), rnd.randrange(30)])
    wb.save(path)


def pandas_bff(path: Path) -> list:
    """pandas.read_excel(calamine) and the same selections vectorised (basis uncompressed)."""
    import numpy as np
    import pandas as pd

    from xlbilling.core.money import D

    df = pd.read_excel(path, engine="calamine")
    billable = (df["IsDel"] == 0) & (df["IsExpired"] == 0)
    local = df["LocalBackupIsBillable"] == 1
    items = pd.DataFrame({
        "AccountNo": df["AccountNo"].astype("int64").astype(str),
        # seeds/000: basis uncompressed (Basic plans are uncompressed anyway)
        "online_gb": df["UncompressedDiskGB"], "local_gb": df["LocalUncompressedDiskGB"],
        "local_servers": np.where(local, df["LocalBillableNumServers"], 0),
        "local_workstations": np.where(local, df["LocalBillableNumNonServers"], 0),
        "archive_mailboxes": df["BillableMailboxes"],
    })[billable.to_numpy()]
    sums = items.groupby("AccountNo", sort=False).agg(["sum", "count"])
    out = []
    for account, row in zip(sums.index, sums.itertuples(index=False)):
        values = list(row)
        for k, item in enumerate(("online_gb", "local_gb", "local_servers", "local_workstations",
                                  "archive_mailboxes")):
            total, count = values[2 * k], values[2 * k + 1]
            if total:
                out.append([account, item, format(D(float(total)), "f"), int(count)])
    return out


def read(path: Path):
    from xlbilling.readers import read_report

    return read_report(path)


JOBS = {"idle": None, "acronis": read, "acronis-duckdb": duckdb_acronis, "altaro": read,
        "altaro-pandas": pandas_altaro, "bff": read, "bff-pandas": pandas_bff}
CASES = (
    ("acronis", "acronis-duckdb", "Acronis csv_v2_0 -> exact quantity per tenant and item", "DuckDB", 1.5,
     1_000_000),
    ("altaro", "altaro-pandas", "Altaro itemised CSV -> billed users per customer", "pandas factorize", 1.0,
     1_000_000),
    ("bff", "bff-pandas", "Axcient BFF .xlsx -> items per account", "pandas+calamine", 1.5, 20_000),
)


def report(label: str, rows: int, ours: dict, base: dict, base_name: str, target: float, floor: dict) -> None:
    agree = "answers agree" if ours["digest"] == base["digest"] else "ANSWERS DIFFER"
    print(f"{label}: {rows:,} rows ({agree})")
    for name, m in (("xlbilling", ours), (base_name, base)):
        print(f"  {name:<17} {m['seconds']:8.2f} s  {rows / m['seconds']:12,.0f} rows/s  CPU {m['cpu']:6.2f} s"
              f"  peak RSS {m['peak_mib']:7.1f} MiB (idle child {floor['peak_mib']:.1f})")
    ratio = ours["seconds"] / base["seconds"]
    verdict = "PASS" if ratio <= target else "MISS"
    print(f"  xlbilling time = {ratio:.2f}x {base_name}'s (target <= {target}x: {verdict})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes")
    ap.add_argument("--only", choices=("acronis", "altaro", "bff"), help="run one of the three")
    ap.add_argument("--repeat", type=int, default=3, help="runs per job; the best is printed")
    ap.add_argument("--job", nargs=2, metavar=("JOB", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.job:
        child(*args.job)
        return
    makers = {"acronis": make_acronis, "altaro": make_altaro, "bff": make_bff_xlsx}
    suffix = {"acronis": "csv", "altaro": "csv", "bff": "xlsx"}
    print(f"Reader benchmark, best of {args.repeat} runs per job, {time.strftime('%Y-%m-%d %H:%M:%S')};"
          " measured on a shared machine (other jobs running): compare the two sides, not the absolute figures")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        floor = run_child("idle", d / "none", 1)
        for job, baseline, label, base_name, target, full in CASES:
            if args.only and job != args.only:
                continue
            rows = int(full * args.scale)
            path = d / f"{job}.{suffix[job]}"
            makers[job](path, rows)
            ours, base = run_pair(job, baseline, path, args.repeat)
            report(label, rows, ours, base, base_name, target, floor)


if __name__ == "__main__":
    main()
