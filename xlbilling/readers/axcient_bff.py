"""Axcient Backup for Files billing reports (seeds/000): the Raw Customer Data
report (one row per parent account, sub-accounts already summed in) and the Raw
Account Data report (one row per account; rolled up here to its parent).

Items: online_gb, local_gb (GB), local_servers, local_workstations (device),
archive_mailboxes (mailbox); zero quantities are not emitted.
"""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from xlbilling.core.records import UsageRecord, usage_record
from xlbilling.core.rules import axcient_bff as rules
from xlbilling.core.rules.result import fmt
from xlbilling.errors import MissingColumnsError
from xlbilling.readers.cells import cell_text, quantity_text
from xlbilling.readers.headers import Col, norm_header
from xlbilling.readers.reader import Context, Reader, ReaderOutput, SkippedRow

VENDOR = "axcient-bff"

# The quantity fields a row carries (canonical column -> key used below).
QUANTITY_COLS = {
    "UncompressedDiskGB": "uncompressed_gb",
    "CompressedDiskGB": "compressed_gb",
    "LocalUncompressedDiskGB": "local_uncompressed_gb",
    "LocalCompressedDiskGB": "local_compressed_gb",
    "LocalBillableNumServers": "local_billable_servers",
    "LocalBillableNumNonServers": "local_billable_non_servers",
    "BillableMailboxes": "billable_mailboxes",
    "ProvisionedMailboxes": "provisioned_mailboxes",
}
OPTIONAL_QUANTITY_COLS = {"ProvisionedMailboxes"}

COMMON_COLS: tuple[Col, ...] = (
    Col("AccountNo", ("Account No", "AccountNumber", "Account Number", "AccountID", "Account Id")),
    Col("InternalDescription", ("Internal Description", "Description"), required=False),
    Col("AccountName", ("Account Name", "Name", "Account"), required=False),
    Col("SPlan", ("ServicePlan", "Service Plan", "Plan", "PlanName"), required=False),
    Col("IsDel", ("IsDeleted", "Deleted")),
    Col("IsExpired", ("Expired",)),
    Col("CanViewCompressed",),
    Col("UncompressedDiskGB",),
    Col("CompressedDiskGB",),
    Col("BillableDiskGB", required=False),
    Col("LocalBackupIsBillable",),
    Col("LocalBillableNumServers",),
    Col("LocalBillableNumNonServers",),
    Col("LocalNumServers", required=False),
    Col("LocalNumNonServers", required=False),
    Col("LocalUncompressedDiskGB",),
    Col("LocalCompressedDiskGB",),
    Col("LocalBillableDiskGB", required=False),
    Col("ProvisionedMailboxes", required=False),
    Col("BillableMailboxes",),
)
PARENT_COL = Col("ParentAccountNo", ("ParentAccount", "Parent Account", "ParentAccountID", "ParentID", "Parent",
                                     "Parent Account No", "ParentAccountNumber", "ParentNo", "ParentAcctNo"),
             contains="parentacc")
WITHSUB_COLS = tuple(Col(c + "WithSub", required=False) for c in QUANTITY_COLS)
NUMERIC = tuple(QUANTITY_COLS) + ("BillableDiskGB", "LocalBillableDiskGB")


class _Row:
    """One parsed report row."""

    __slots__ = ("row", "account", "customer", "plan", "is_del", "is_expired", "cvc", "local_billable",
                 "q", "parent", "withsub")

    def __init__(self, row, account, customer, plan, is_del, is_expired, cvc, local_billable, q, parent, withsub):
        self.row, self.account, self.customer, self.plan = row, account, customer, plan
        self.is_del, self.is_expired, self.cvc, self.local_billable = is_del, is_expired, cvc, local_billable
        self.q, self.parent, self.withsub = q, parent, withsub


def _read_rows(ctx: Context, with_parent: bool) -> list[_Row]:
    """Parse every cell once, column by column, collecting all bad cells."""
    c = ctx.cells
    rows = ctx.row_numbers
    names = [col.name for col in COMMON_COLS]
    header = {n: ctx.header_of(n) for n in list(names) + [q + "WithSub" for q in QUANTITY_COLS]}
    text = {n: _texts(ctx.col(n)) for n in ("AccountNo", "InternalDescription", "AccountName", "SPlan")}
    raw_accounts = ctx.col("AccountNo")
    numbers = {key: c.numbers(ctx.col(col), rows, header[col], integer="Num" in col or "Mailboxes" in col)
               for col, key in QUANTITY_COLS.items() if col not in OPTIONAL_QUANTITY_COLS or ctx.has(col)}
    flags = {col: c.flags(ctx.col(col), rows, header[col])
             for col in ("IsDel", "IsExpired", "CanViewCompressed", "LocalBackupIsBillable")}
    parents = [cell_text(v) for v in ctx.col("ParentAccountNo")] if with_parent else None
    # A roll-up is checked against its own column's sums, so one whose plain
    # column the file lacks (the optional ProvisionedMailboxes) is not read.
    withsub = {key: c.numbers(ctx.col(col + "WithSub"), rows, header[col + "WithSub"])
               for col, key in QUANTITY_COLS.items()
               if with_parent and key in numbers and ctx.has(col + "WithSub")}
    out: list[_Row] = []
    # each row's quantities as {key: Decimal}, keys in QUANTITY_COLS order (zip builds them in C)
    quantities = [dict(zip(numbers, values)) for values in zip(*numbers.values())]
    stated = [dict(zip(withsub, values)) for values in zip(*withsub.values())] if withsub else None
    header_account = header["AccountNo"]
    for i, (row, account, description, name, plan, is_del, is_expired, cvc, local_billable, q) in enumerate(zip(
            rows, text["AccountNo"], text["InternalDescription"], text["AccountName"], text["SPlan"],
            flags["IsDel"], flags["IsExpired"], flags["CanViewCompressed"], flags["LocalBackupIsBillable"],
            quantities)):
        if not account:
            c.bad(row, header_account, raw_accounts[i] or "", "an account number (AccountNo)")
            continue
        out.append(_Row(row, account, description or name or account, plan, is_del, is_expired, cvc,
                        local_billable, q, parents[i] if parents is not None else "",
                        stated[i] if stated is not None else {}))
    return out


def _texts(values: list) -> list[str]:
    """cell_text of each cell: plain text (most cells) stripped here; any other
    value, or text starting with the apostrophe marker, through cell_text itself."""
    return [t if type(v) is str and (t := v.strip())[:1] != "'" else cell_text(v) for v in values]


# Device and mailbox counts repeat a lot across accounts, and the rules are pure:
# memoise them on the exact decimal text (1 and 1.0 stay apart, so a record's
# quantity keeps the report's own spelling).
@lru_cache(maxsize=4096)
def _local_devices(billable: bool, servers: str, non_servers: str):
    return rules.local_devices(int(billable), Decimal(servers), Decimal(non_servers))


@lru_cache(maxsize=4096)
def _archive_mailboxes(billable: str, provisioned: str | None):
    return rules.archive_mailboxes(Decimal(billable), None if provisioned is None else Decimal(provisioned))


@lru_cache(maxsize=4096)
def _bills_compressed(basis: str, plan: str, can_view_compressed: bool) -> bool:
    """Which column rules.billable_gb chooses (compressed or uncompressed) for this
    basis, plan and flag: asked of the rule itself once per combination, with 0
    and 1 standing for the two columns (cells() already refused negative or
    non-finite GB, the rule's only checks on the values)."""
    return rules.billable_gb_value(Decimal(0), Decimal(1), int(can_view_compressed), basis, plan) == 1


def _quantities(head: _Row, q: dict[str, Decimal], basis: str) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The billable items of one account from its (rolled-up) quantities."""
    # seeds/000: the basis picks uncompressed/compressed/per-account; Basic plans
    # are always billed uncompressed (rules.billable_gb's decision, without its
    # working text: pricing re-applies the rule with the working from `details`).
    compressed = _bills_compressed(basis, head.plan, bool(head.cvc))
    online = q["compressed_gb"] if compressed else q["uncompressed_gb"]
    local = q["local_compressed_gb"] if compressed else q["local_uncompressed_gb"]
    # seeds/000: local devices bill only where LocalBackupIsBillable = 1.
    servers, workstations = _local_devices(bool(head.local_billable), str(q["local_billable_servers"]),
                                           str(q["local_billable_non_servers"]))
    # seeds/000: BillableMailboxes, not ProvisionedMailboxes.
    provisioned = q.get("provisioned_mailboxes")
    mailboxes = _archive_mailboxes(str(q["billable_mailboxes"]), None if provisioned is None else str(provisioned))
    items = {"online_gb": online, "local_gb": local, "local_servers": servers.value,
             "local_workstations": workstations.value, "archive_mailboxes": mailboxes.value}
    details = {
        "plan": head.plan, "can_view_compressed": "1" if head.cvc else "0", "basis": basis,
        "uncompressed_gb": _text(q["uncompressed_gb"]), "compressed_gb": _text(q["compressed_gb"]),
        "local_uncompressed_gb": _text(q["local_uncompressed_gb"]),
        "local_compressed_gb": _text(q["local_compressed_gb"]),
        "local_backup_is_billable": "1" if head.local_billable else "0",
    }
    return items, details


def _text(value: Decimal) -> str:
    """Exact decimal text for details (plain str() unless it would use an exponent)."""
    text = str(value)
    return quantity_text(value) if "E" in text else text


UNITS = {"online_gb": "GB", "local_gb": "GB", "local_servers": "device", "local_workstations": "device",
         "archive_mailboxes": "mailbox"}


def _emit(ctx: Context, head: _Row, q: dict[str, Decimal], rows: tuple[int, ...], out: ReaderOutput) -> None:
    # read_report has already checked the basis options (rules.normalise_basis).
    basis = ctx.options["basis_by_account"].get(head.account, ctx.options["basis"])
    values, details = _quantities(head, q, basis)
    source = ctx.source(rows)
    if head.is_del or head.is_expired:
        # seeds/000: IsDel = 1 (deleted) or IsExpired = 1 (expired trial) are not billed;
        # reported with the usage they still carry.
        why = "deleted account (IsDel = 1)" if head.is_del else "expired trial (IsExpired = 1)"
        out.skipped.append(SkippedRow(source, head.account, head.customer, why + ": not billed",
                                      {k: v for k, v in values.items() if v}))
        return
    shared = MappingProxyType(details)  # read-only, shared by the account's records
    append, account, customer = out.records.append, head.account, head.customer
    for item, value in values.items():
        if value == 0:
            continue  # decision (docs/readers.md): zero-quantity items are not emitted
        append(usage_record(VENDOR, account, customer, item, value, UNITS[item], source, shared))


class AxcientCustomerDataReader(Reader):
    name = "axcient-bff-raw-customer-data"
    vendor = VENDOR
    report_type = "raw-customer-data"
    description = "Axcient Backup for Files Raw Customer Data report"
    cols = COMMON_COLS
    numeric_cols = NUMERIC

    def read(self, ctx: Context) -> ReaderOutput:
        withsub = [u for u in ctx.match.unknown if norm_header(u).endswith("withsub")]
        if withsub:
            raise MissingColumnsError(
                f"{ctx.file}: has WithSub columns ({', '.join(withsub[:3])}...), so it is a Raw Account Data"
                f" report, but the parent account column is missing (expected one of"
                f" {', '.join((PARENT_COL.name,) + PARENT_COL.aliases)}); without it sub-accounts cannot be"
                " rolled up to their parent")
        out = ReaderOutput([])
        rows = _read_rows(ctx, with_parent=False)
        if ctx.cells.problems:
            return out
        seen: dict[str, int] = {}
        for r in rows:
            if r.account in seen:
                out.problem("duplicate_account_row",
                            f"AccountNo {r.account!r} appears on rows {seen[r.account]} and {r.row};"
                            " the report should have one row per parent account: both were added up",
                            account=r.account)
            seen.setdefault(r.account, r.row)
            _emit(ctx, r, r.q, (r.row,), out)
        if len(seen) < len(rows):
            out.records[:] = _merge(out.records)
        return out


class AxcientAccountDataReader(Reader):
    name = "axcient-bff-raw-account-data"
    vendor = VENDOR
    report_type = "raw-account-data"
    description = "Axcient Backup for Files Raw Account Data report"
    cols = COMMON_COLS + (PARENT_COL,) + WITHSUB_COLS
    numeric_cols = NUMERIC
    claim_score = 0.9  # the Customer Data report lacks only the parent column

    def read(self, ctx: Context) -> ReaderOutput:
        out = ReaderOutput([])
        rows = _read_rows(ctx, with_parent=True)
        if ctx.cells.problems:
            return out
        by_account = {r.account: r for r in rows}

        def is_top(r) -> bool:
            return r.parent in ("", "0", r.account)

        def root(r) -> _Row | None:
            seen = set()
            while not is_top(r):
                if r.account in seen or r.parent not in by_account:
                    return None
                seen.add(r.account)
                r = by_account[r.parent]
            return r

        groups: dict[str, list[_Row]] = {}
        for r in rows:
            top = root(r)
            if top is None:
                ctx.cells.bad(r.row, ctx.header_of("ParentAccountNo"), r.parent,
                              "the AccountNo of a parent account in this report")
                continue
            if r is not top and (r.is_del or r.is_expired) and any(r.q.values()):
                # seeds/000: deleted sub-accounts should carry zeroed resources; if
                # one does not, it is still not billed.
                out.skipped.append(SkippedRow(ctx.source((r.row,)), r.account, top.customer,
                                              "deleted/expired sub-account still carrying usage: not billed",
                                              {k: v for k, v in r.q.items() if v}))
                continue
            groups.setdefault(top.account, []).append(r)
        if ctx.cells.problems:
            return out
        for parent_account, members in groups.items():
            head = by_account[parent_account]
            # seeds/000: plain fields exclude sub-accounts; the parent's total is its
            # own plain values plus its subs' (never WithSub + subs: double count).
            flat = [{"account": m.account, "parent": "" if m is head else head.account, "fields": m.q}
                    for m in members]
            totals = rules.rollup_account_data(flat)[head.account]
            for key, stated in head.withsub.items():
                if stated != totals[key]:
                    out.problem("rollup_mismatch",
                                f"account {head.account!r}: {key} rolled up from the plain columns is"
                                f" {fmt(totals[key])} but its WithSub column says {fmt(stated)};"
                                " the rolled-up figure is used", account=head.account)
            _emit(ctx, head, totals, tuple(sorted(m.row for m in members)), out)
        return out


def _merge(records: list[UsageRecord]) -> list[UsageRecord]:
    from xlbilling.readers.reader import merge_records

    return merge_records(records)
