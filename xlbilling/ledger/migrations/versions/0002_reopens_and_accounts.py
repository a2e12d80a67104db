"""Reopen reasons kept (who, when, why) and the vendor accounts of each close
(for vanished / new accounts in the month-over-month review).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("reopens",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("month", sa.String(7), nullable=False, index=True),
                    sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id"), nullable=False),
                    sa.Column("reopened_at", sa.String(32), nullable=False),
                    sa.Column("reopened_by", sa.Text, nullable=False),
                    sa.Column("reason", sa.Text, nullable=False))
    op.create_table("close_accounts",
                    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("close_id", sa.Integer, sa.ForeignKey("closes.id"), nullable=False, index=True),
                    sa.Column("vendor", sa.String(40), nullable=False),
                    sa.Column("account", sa.Text, nullable=False),
                    sa.Column("customer", sa.Text, nullable=False),
                    sa.Column("label", sa.Text, nullable=False))
