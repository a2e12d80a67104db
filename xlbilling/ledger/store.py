"""The ledger of closed months: SQLAlchemy Core over SQLite (a file beside the
price book, the default) or PostgreSQL (a URL, for a team sharing one ledger),
one schema for both, migrated by Alembic when opened.

Every change is one transaction: a close records the month's invoices, lines,
reports, accounts and who closed it all at once or not at all (a killed
process leaves the ledger as it was).  SQLite transactions start with
BEGIN IMMEDIATE (writers queue instead of failing half-way); PostgreSQL locks
the number sequence row (SELECT ... FOR UPDATE).  Two closes of one month:
the `month_locks` primary key lets one win; the other gets LedgerError."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from xlbilling.core.numbering import Numbered, Wanted, numbers_for
from xlbilling.core.review import AccountFig, InvoiceFig, LineFig, MonthFigures
from xlbilling.errors import LedgerError
from xlbilling.ledger import schema as S

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30


def now_utc() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _engine_for(where: str) -> tuple[Engine, str]:
    """(engine, what to call it in messages) for a path or a database URL."""
    if "://" in where:
        url = make_url(where)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")   # psycopg 3
        if not url.drivername.startswith(("postgresql", "sqlite")):
            raise LedgerError(f"ledger {where!r}: only a file path, sqlite:/// or postgresql:// URL is supported")
        shown = url.render_as_string(hide_password=True)
        if url.drivername.startswith("sqlite"):
            return _sqlite_engine(url), shown
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10}), shown
    path = Path(where).expanduser().resolve()
    return _sqlite_engine(make_url(f"sqlite:///{path}")), str(path)


def _sqlite_engine(url) -> Engine:
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    # SQLAlchemy's documented recipe: let SQLAlchemy, not pysqlite, begin
    # transactions, and begin them IMMEDIATE (take the write lock first).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> str:
    """Bring the schema to the head revision (Alembic); returns the revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":   # two first opens at once: one migrates, the other waits
            conn.execute(text("SELECT pg_advisory_xact_lock(7412001)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


@dataclass(frozen=True, slots=True)
class CloseInfo:
    id: int
    month: str
    closed_at: str
    closed_by: str
    pricebook_file: str
    pricebook_sha256: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    month: str
    closed_at: str
    closed_by: str
    invoices: int
    totals: dict[str, Decimal]
    reports: int
    reopened: int          # times this month was reopened


class Ledger:
    """One ledger (file or server).  Open with `Ledger.open(where)`."""

    def __init__(self, engine: Engine, shown: str):
        self.engine = engine
        self.where = shown

    @classmethod
    def open(cls, where: str, *, create: bool = True) -> "Ledger":
        if "://" not in where and not create and not Path(where).expanduser().exists():
            raise LedgerError(f"ledger {where}: not found (no month has been closed with it yet)")
        if "://" not in where:
            Path(where).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine, shown = _engine_for(where)
        try:
            migrate(engine)
        except (OperationalError, SQLAlchemyError) as exc:
            engine.dispose()
            raise LedgerError(f"ledger {shown}: cannot be opened ({_short(exc)})") from None
        return cls(engine, shown)

    def dispose(self) -> None:
        self.engine.dispose()

    # -- reading --------------------------------------------------------------
    def lock(self, month: dt.date) -> CloseInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.closes).join(S.month_locks, S.month_locks.c.close_id == S.closes.c.id)
                               .where(S.month_locks.c.month == month_text(month))).mappings().first()
        return _info(row) if row else None

    def figures(self, close_id: int, month: dt.date, source: str) -> MonthFigures:
        with self.engine.connect() as conn:
            invs = conn.execute(select(S.invoices).where(S.invoices.c.close_id == close_id)
                                .order_by(S.invoices.c.id)).mappings().all()
            lines = conn.execute(select(S.invoice_lines).join(S.invoices, S.invoice_lines.c.invoice_id ==
                                                               S.invoices.c.id)
                                 .where(S.invoices.c.close_id == close_id)
                                 .order_by(S.invoice_lines.c.invoice_id, S.invoice_lines.c.line_no)).mappings().all()
            accts = conn.execute(select(S.close_accounts).where(S.close_accounts.c.close_id == close_id)
                                 .order_by(S.close_accounts.c.id)).mappings().all()
        by_inv: dict[int, list[LineFig]] = {}
        for ln in lines:
            by_inv.setdefault(ln["invoice_id"], []).append(LineFig(
                ln["vendor"], ln["item"], ln["description"], Decimal(ln["quantity"]), ln["unit"],
                Decimal(ln["unit_price"]), Decimal(ln["amount"]), ln["currency"], ln["kind"], ln["sources"]))
        invoices = tuple(InvoiceFig(i["customer_key"], i["customer"], i["currency"], i["invoice_number"],
                                    Decimal(i["total"]), tuple(by_inv.get(i["id"], ()))) for i in invs)
        accounts = tuple(AccountFig(a["vendor"], a["account"], a["customer"], a["label"]) for a in accts)
        return MonthFigures(month, invoices, accounts, source, has_accounts=bool(accounts) or not invoices)

    def closed_figures(self, month: dt.date) -> tuple[CloseInfo, MonthFigures] | None:
        info = self.lock(month)
        if info is None:
            return None
        return info, self.figures(info.id, month, f"ledger: {info.month} closed {info.closed_at} by {info.closed_by}")

    def last_closed_before(self, month: dt.date) -> tuple[CloseInfo, MonthFigures] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.month_locks.c.month).where(S.month_locks.c.month < month_text(month))
                               .order_by(S.month_locks.c.month.desc()).limit(1)).scalar()
        if row is None:
            return None
        return self.closed_figures(dt.date(int(row[:4]), int(row[5:7]), 1))

    def history(self) -> list[HistoryRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.closes).join(S.month_locks, S.month_locks.c.close_id == S.closes.c.id)
                                .order_by(S.closes.c.month)).mappings().all()
            out = []
            for r in rows:
                totals: dict[str, Decimal] = {}
                for cur, total in conn.execute(select(S.invoices.c.currency, S.invoices.c.total)
                                               .where(S.invoices.c.close_id == r["id"])):
                    totals[cur] = totals.get(cur, Decimal(0)) + Decimal(total)
                n_inv = conn.execute(select(func.count()).select_from(S.invoices)
                                     .where(S.invoices.c.close_id == r["id"])).scalar_one()
                n_rep = conn.execute(select(func.count()).select_from(S.close_reports)
                                     .where(S.close_reports.c.close_id == r["id"])).scalar_one()
                n_reopen = conn.execute(select(func.count()).select_from(S.reopens)
                                        .where(S.reopens.c.month == r["month"])).scalar_one()
                out.append(HistoryRow(r["month"], r["closed_at"], r["closed_by"], n_inv, dict(sorted(totals.items())),
                                      n_rep, n_reopen))
        return out

    def reopens(self, month: dt.date) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(S.reopens).where(S.reopens.c.month == month_text(month))
                                                  .order_by(S.reopens.c.id)).mappings()]

    # -- invoice numbers --------------------------------------------------------
    def assign_numbers(self, month: dt.date, wanted: Sequence[Wanted], *, fmt: str, start: int, prefix: str,
                       conn=None) -> tuple[dict[str, Numbered], dict[str, str]]:
        """The month's invoice numbers: kept where given, the next of the sequence
        for new invoices (committed at once, so they never move)."""
        if conn is None:
            with self._write() as c:
                return self.assign_numbers(month, wanted, fmt=fmt, start=start, prefix=prefix, conn=c)
        m = month_text(month)
        seq = conn.execute(select(S.number_sequence.c.next_n).where(S.number_sequence.c.id == 1)
                           .with_for_update()).scalar()
        if seq is None:
            conn.execute(insert(S.number_sequence).values(id=1, next_n=start))
            seq = start
        rows = conn.execute(select(S.invoice_numbers).where(S.invoice_numbers.c.month == m)).mappings().all()
        existing = [Numbered(r["customer_key"], r["customer"], r["invoice_number"], r["n"],
                             frozenset(a for a in r["accounts"].split("\n") if a)) for r in rows]
        all_numbers = set(conn.execute(select(S.invoice_numbers.c.invoice_number)).scalars())
        mapping, new, next_n, renames = numbers_for(wanted, existing, max(seq, start), fmt, prefix=prefix,
                                                    month=month, taken=all_numbers)
        stamp = now_utc()
        for new_key, old_key in renames.items():   # the number follows the renamed customer
            w = next(x for x in wanted if x.key == new_key)
            conn.execute(update(S.invoice_numbers).where(S.invoice_numbers.c.month == m,
                                                         S.invoice_numbers.c.customer_key == old_key)
                         .values(customer_key=new_key, customer=w.customer,
                                 accounts="\n".join(sorted(w.accounts | mapping[new_key].accounts))))
        for item in new:
            conn.execute(insert(S.invoice_numbers).values(
                month=m, customer_key=item.key, customer=item.customer, n=item.n, invoice_number=item.number,
                accounts="\n".join(sorted(item.accounts)), assigned_at=stamp))
        if new or next_n != seq:
            conn.execute(update(S.number_sequence).where(S.number_sequence.c.id == 1).values(next_n=next_n))
        return mapping, renames

    def preview_numbers(self, month: dt.date, wanted: Sequence[Wanted], *, fmt: str, start: int, prefix: str
                        ) -> tuple[dict[str, Numbered], dict[str, str]]:
        """The numbers assign_numbers would give, without keeping anything (rolled
        back).  The first numbering of a new ledger creates the sequence row: when
        another run's open transaction creates it too (PostgreSQL waits for that
        run, then refuses the duplicate), read again the row it committed."""
        for attempt in (1, 2):
            with self.engine.connect() as conn:
                trans = conn.begin()
                try:
                    return self.assign_numbers(month, wanted, fmt=fmt, start=start, prefix=prefix, conn=conn)
                except IntegrityError:
                    if attempt == 2:
                        raise LedgerError(f"ledger {self.where}: another run was giving the first invoice numbers;"
                                          " nothing was written or recorded: run it again") from None
                finally:
                    trans.rollback()
        raise AssertionError("unreachable")

    # -- close / reopen -----------------------------------------------------------
    def close(self, month: dt.date, figures: MonthFigures, *, by: str, reports: Sequence[tuple[str, str, str, str, str]],
              pricebook_file: str, pricebook_sha256: str, conn) -> CloseInfo:
        """Record the month closed, inside the transaction `conn` (record_run's):
        invoices, lines with their sources, numbers, reports (file, sha256,
        vendor, type, period), accounts."""
        m = month_text(month)
        held = conn.execute(select(S.closes).join(S.month_locks, S.month_locks.c.close_id == S.closes.c.id)
                            .where(S.month_locks.c.month == m)).mappings().first()
        if held:
            raise LedgerError(f"{m} is already closed (on {held['closed_at']} by {held['closed_by']}):"
                              " nothing recorded. To change it: build with --reopen --reason \"...\"")
        stamp = now_utc()
        close_id = conn.execute(insert(S.closes).values(
            month=m, closed_at=stamp, closed_by=by, pricebook_file=pricebook_file,
            pricebook_sha256=pricebook_sha256, status="closed")).inserted_primary_key[0]
        conn.execute(insert(S.month_locks).values(month=m, close_id=close_id))
        self._record(conn, close_id, figures, reports)
        return CloseInfo(close_id, m, stamp, by, pricebook_file, pricebook_sha256)

    def _close_refused(self, month: dt.date, exc: SQLAlchemyError, reopened: int | None) -> LedgerError:
        """Why a close's transaction failed: another close won the month, or the
        database refused (`reopened`: the close id this one reopened, still the
        lock after the rollback)."""
        m = month_text(month)
        other = self.lock(month) if isinstance(exc, IntegrityError) else None
        if other is not None and other.id != reopened:
            return LedgerError(f"{m} was closed by {other.closed_by} at {other.closed_at} while this close was"
                               " running: nothing recorded by this one. Build again to compare with what was closed")
        return LedgerError(f"ledger {self.where}: the close could not be recorded ({_short(exc)}); nothing was"
                           " recorded")

    def _record(self, conn, close_id: int, figures: MonthFigures, reports) -> None:
        for file, sha, vendor, rtype, period in reports:
            conn.execute(insert(S.close_reports).values(close_id=close_id, file=file, sha256=sha, vendor=vendor,
                                                         report_type=rtype, period=period))
        for inv in figures.invoices:
            inv_id = conn.execute(insert(S.invoices).values(
                close_id=close_id, customer_key=inv.key, customer=inv.customer, currency=inv.currency,
                invoice_number=inv.number, total=str(inv.total))).inserted_primary_key[0]
            if inv.lines:
                conn.execute(insert(S.invoice_lines), [dict(
                    invoice_id=inv_id, line_no=i, vendor=ln.vendor, item=ln.item, description=ln.description,
                    quantity=str(ln.quantity), unit=ln.unit, unit_price=str(ln.unit_price), amount=str(ln.amount),
                    currency=ln.currency, kind=ln.kind, sources=ln.sources) for i, ln in enumerate(inv.lines, 1)])
        if figures.accounts:
            conn.execute(insert(S.close_accounts), [dict(close_id=close_id, vendor=a.vendor, account=a.account,
                                                         customer=a.customer, label=a.label)
                                                    for a in figures.accounts])

    def reopen(self, month: dt.date, *, reason: str, by: str, conn=None, close_id: int | None = None) -> CloseInfo:
        """Unlock a closed month, keeping its record and why it was reopened.
        The invoice numbers stay: the next close reuses them.  `close_id`: the
        close the caller compared with (refused if the month was closed again
        since)."""
        if not reason or not reason.strip():
            raise LedgerError("--reopen needs --reason \"...\" (kept in the ledger with who reopened it)")
        if conn is None:
            with self._write() as c:
                return self.reopen(month, reason=reason, by=by, conn=c, close_id=close_id)
        m = month_text(month)
        row = conn.execute(select(S.closes).join(S.month_locks, S.month_locks.c.close_id == S.closes.c.id)
                           .where(S.month_locks.c.month == m).with_for_update()).mappings().first()
        if row is None:
            if close_id is not None:
                raise LedgerError(f"{m} was reopened by another run while this one ran: nothing was written or"
                                  " recorded; run it again without --reopen")
            raise LedgerError(f"{m} is not closed: nothing to reopen (drop --reopen)")
        if close_id is not None and row["id"] != close_id:
            raise LedgerError(f"{m} was reopened and closed again by another run (on {row['closed_at']} by"
                              f" {row['closed_by']}) while this one ran: nothing was written or recorded; build"
                              " again to compare with that close")
        conn.execute(insert(S.reopens).values(month=m, close_id=row["id"], reopened_at=now_utc(),
                                              reopened_by=by, reason=reason.strip()))
        conn.execute(update(S.closes).where(S.closes.c.id == row["id"]).values(status="reopened"))
        conn.execute(S.month_locks.delete().where(S.month_locks.c.month == m))
        return _info(row)

    def record_run(self, month: dt.date, wanted: Sequence[Wanted], *, expected: dict[str, Numbered],
                   publish: Callable[[], None], reopen: tuple[int, str, str] | None = None,
                   close: dict | None = None, **opts) -> CloseInfo | None:
        """What a build, lines, export or close keeps, in one transaction
        committed only once its output is published: the reopen (close id,
        reason, by) if asked, the invoice numbers the output shows (`expected`,
        from preview_numbers) and, for close, the close itself (`close`: the
        arguments of Ledger.close; returns its CloseInfo).  `publish` runs inside
        the transaction, last: if it fails nothing is kept; if another run gave
        numbers meanwhile, nothing is published."""
        m = month_text(month)
        try:
            with self._write() as conn:
                if reopen is not None:
                    close_id, reason, by = reopen
                    self.reopen(month, reason=reason, by=by, conn=conn, close_id=close_id)
                numbers, _ = self.assign_numbers(month, wanted, conn=conn, **opts)
                if {k: v.number for k, v in numbers.items()} != {k: v.number for k, v in expected.items()}:
                    raise LedgerError(f"ledger {self.where}: another run gave invoice numbers while this one ran,"
                                      f" so the {m} numbers it computed are taken: nothing was written or recorded;"
                                      " run it again")
                info = self.close(month, conn=conn, **close) if close is not None else None
                publish()
        except SQLAlchemyError as exc:   # the commit too (after publish: atomic_write undoes it)
            if close is not None:
                raise self._close_refused(month, exc, reopen[0] if reopen else None) from None
            if isinstance(exc, IntegrityError):
                raise LedgerError(f"ledger {self.where}: another run gave invoice numbers while this one ran:"
                                  " nothing was written or recorded; run it again") from None
            raise LedgerError(f"ledger {self.where}: the {m} invoice numbers could not be recorded ({_short(exc)});"
                              " nothing was written or recorded") from None
        return info

    # -- plumbing -----------------------------------------------------------------
    def _write(self):
        """A write transaction (BEGIN IMMEDIATE on SQLite)."""
        return self.engine.begin()


def _info(row) -> CloseInfo:
    return CloseInfo(row["id"], row["month"], row["closed_at"], row["closed_by"], row["pricebook_file"],
                     row["pricebook_sha256"])


def _short(exc: Exception) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text_[0] if text_ else type(exc).__name__


def default_ledger_path(pricebook_path: str | os.PathLike) -> Path:
    """The embedded default: <price book name>.ledger.sqlite beside the price book."""
    p = Path(pricebook_path).expanduser().resolve()
    return p.with_name(p.stem + ".ledger.sqlite")


def ledger_location(pricebook_path: str | os.PathLike | None, setting: str = "", option: str | None = None
                    ) -> tuple[str, bool]:
    """(where, explicit): --ledger, else Settings 'Ledger' (relative to the price
    book's folder), else the default file beside the price book."""
    if option:
        return option, True
    if setting:
        if "://" in setting or pricebook_path is None:
            return setting, True
        return str((Path(pricebook_path).expanduser().resolve().parent / setting).resolve()), True
    if pricebook_path is None:
        raise LedgerError("no ledger: give --ledger PATH_OR_URL or --pricebook PRICEBOOK.xlsx")
    return str(default_ledger_path(pricebook_path)), False
