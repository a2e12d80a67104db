"""Closed months, their invoices, lines, reports and invoice numbers.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("number_sequence",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("next_n", sa.Integer, nullable=False))
    op.create_table("invoice_numbers",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("month", sa.String(7), nullable=False),
                    sa.Column("customer_key", sa.String(300), nullable=False),
                    sa.Column("customer", sa.Text, nullable=False),
                    sa.Column("n", sa.Integer, nullable=False),
                    sa.Column("invoice_number", sa.String(100), nullable=False, unique=True),
                    sa.Column("accounts", sa.Text, nullable=False),
                    sa.Column("assigned_at", sa.String(32), nullable=False),
                    sa.UniqueConstraint("month", "customer_key", name="uq_invoice_numbers_month_key"))
    op.create_table("closes",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("month", sa.String(7), nullable=False),
                    sa.Column("closed_at", sa.String(32), nullable=False),
                    sa.Column("closed_by", sa.Text, nullable=False),
                    sa.Column("pricebook_file", sa.Text, nullable=False),
                    sa.Column("pricebook_sha256", sa.String(64), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False))
    op.create_table("month_locks",
                    sa.Column("month", sa.String(7), primary_key=True),
                    sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id"), nullable=False))
    op.create_table("close_reports",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id"), nullable=False, index=True),
                    sa.Column("file", sa.Text, nullable=False),
                    sa.Column("sha256", sa.String(64), nullable=False),
                    sa.Column("vendor", sa.String(40), nullable=False),
                    sa.Column("report_type", sa.String(60), nullable=False),
                    sa.Column("period", sa.Text, nullable=False))
    op.create_table("invoices",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id"), nullable=False, index=True),
                    sa.Column("customer_key", sa.String(300), nullable=False),
                    sa.Column("customer", sa.Text, nullable=False),
                    sa.Column("currency", sa.String(3), nullable=False),
                    sa.Column("invoice_number", sa.String(100), nullable=False),
                    sa.Column("total", sa.String(60), nullable=False))
    op.create_table("invoice_lines",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id"), nullable=False, index=True),
                    sa.Column("line_no", sa.Integer, nullable=False),
                    sa.Column("vendor", sa.String(40), nullable=False),
                    sa.Column("item", sa.Text, nullable=False),
                    sa.Column("description", sa.Text, nullable=False),
                    sa.Column("quantity", sa.String(80), nullable=False),
                    sa.Column("unit", sa.String(40), nullable=False),
                    sa.Column("unit_price", sa.String(80), nullable=False),
                    sa.Column("amount", sa.String(60), nullable=False),
                    sa.Column("currency", sa.String(3), nullable=False),
                    sa.Column("kind", sa.String(30), nullable=False),
                    sa.Column("sources", sa.Text, nullable=False))
