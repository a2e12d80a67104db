"""The ledger's tables (the head revision), as SQLAlchemy Core objects.

The migrations in `migrations/versions/` create exactly these; a test checks
that a ledger migrated from revision 0001 has the same tables and columns.
Money and quantities are TEXT holding exact decimals (SQLite has no decimal
type and SQLAlchemy's Numeric goes through float there); dates and times are
ISO text in UTC, so SQLite and PostgreSQL hold the same values."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

number_sequence = Table(
    "number_sequence", metadata,
    Column("id", Integer, primary_key=True),            # one row, id 1: locked while numbers are given
    Column("next_n", Integer, nullable=False),
)

invoice_numbers = Table(
    "invoice_numbers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),          # YYYY-MM
    Column("customer_key", String(300), nullable=False),
    Column("customer", Text, nullable=False),            # the name when the number was given
    Column("n", Integer, nullable=False),
    Column("invoice_number", String(100), nullable=False, unique=True),
    Column("accounts", Text, nullable=False, default=""),  # vendor:account, newline-separated (renames)
    Column("assigned_at", String(32), nullable=False),
    UniqueConstraint("month", "customer_key", name="uq_invoice_numbers_month_key"),
)

closes = Table(
    "closes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False),
    Column("closed_at", String(32), nullable=False),
    Column("closed_by", Text, nullable=False),
    Column("pricebook_file", Text, nullable=False),
    Column("pricebook_sha256", String(64), nullable=False),
    Column("status", String(16), nullable=False),        # closed | reopened
)

# One row per closed month: the primary key is what makes two closes of one
# month at once impossible (the second insert waits, then fails).
month_locks = Table(
    "month_locks", metadata,
    Column("month", String(7), primary_key=True),
    Column("close_id", Integer, ForeignKey("closes.id"), nullable=False),
)

close_reports = Table(
    "close_reports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("closes.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("vendor", String(40), nullable=False),
    Column("report_type", String(60), nullable=False),
    Column("period", Text, nullable=False),
)

invoices = Table(
    "invoices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("closes.id"), nullable=False, index=True),
    Column("customer_key", String(300), nullable=False),
    Column("customer", Text, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("invoice_number", String(100), nullable=False),
    Column("total", String(60), nullable=False),
)

invoice_lines = Table(
    "invoice_lines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("line_no", Integer, nullable=False),
    Column("vendor", String(40), nullable=False),
    Column("item", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", String(80), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("unit_price", String(80), nullable=False),
    Column("amount", String(60), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("sources", Text, nullable=False),
)

# --- revision 0002 ---------------------------------------------------------------
reopens = Table(
    "reopens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("month", String(7), nullable=False, index=True),
    Column("close_id", Integer, ForeignKey("closes.id"), nullable=False),
    Column("reopened_at", String(32), nullable=False),
    Column("reopened_by", Text, nullable=False),
    Column("reason", Text, nullable=False),
)

close_accounts = Table(
    "close_accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("close_id", Integer, ForeignKey("closes.id"), nullable=False, index=True),
    Column("vendor", String(40), nullable=False),
    Column("account", Text, nullable=False),
    Column("customer", Text, nullable=False),             # '' = unmapped
    Column("label", Text, nullable=False),
)

HEAD = "0002"
