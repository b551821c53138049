"""covering indexes for a creditor's figures at a million cases: its cases, their invoices in
imputation order, its standing payments and its ledger read from indexes alone; its unreported
transactions for the remittance run; its latest visible timeline entries

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# (name, table, old columns, new columns, INCLUDE on PostgreSQL): same names, wider keys.
REPLACED = [
    (
        "ix_case_file_creditor_id",
        "case_file",
        ["creditor_id"],
        ["creditor_id", "id"],
        ["stage", "outcome", "opened_on", "closed_on"],
    ),
    (
        "ix_invoice_case_id",
        "invoice",
        ["case_id"],
        ["case_id", "due_date", "id"],
        ["amount_cents", "paid_cents"],
    ),
    (
        "ix_ledger_transaction_creditor_id",
        "ledger_transaction",
        ["creditor_id"],
        ["creditor_id"],
        ["id", "kind"],
    ),
    (
        "ix_ledger_entry_creditor_account",
        "ledger_entry",
        ["creditor_id", "account"],
        ["creditor_id", "account"],
        ["side", "cents", "transaction_id"],
    ),
]


def upgrade():
    for name, table, _old, new, include in REPLACED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, new, unique=False, postgresql_include=include)
    op.create_index(
        "ix_payment_standing",
        "payment",
        ["creditor_id"],
        unique=False,
        postgresql_include=["case_id", "received_on", "amount_cents"],
        postgresql_where=sa.text("reversed_at IS NULL"),
        sqlite_where=sa.text("reversed_at IS NULL"),
    )
    op.create_index(
        "ix_ledger_transaction_unreported",
        "ledger_transaction",
        ["creditor_id"],
        unique=False,
        postgresql_where=sa.text("remittance_id IS NULL"),
        sqlite_where=sa.text("remittance_id IS NULL"),
    )
    op.create_index(
        "ix_timeline_entry_creditor_visible",
        "timeline_entry",
        ["case_id", "occurred_at", "id"],
        unique=False,
        postgresql_where=sa.text("visible_to_creditor IS true"),
        sqlite_where=sa.text("visible_to_creditor IS true"),
    )


def downgrade():
    op.drop_index("ix_timeline_entry_creditor_visible", table_name="timeline_entry")
    op.drop_index("ix_ledger_transaction_unreported", table_name="ledger_transaction")
    op.drop_index("ix_payment_standing", table_name="payment")
    for name, table, old, _new, _include in REPLACED:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, old, unique=False)
