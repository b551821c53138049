"""interest rates and claim terms: rate table seeded with LAW.md, creditor terms, formal notice

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:47:44.297193

"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.models.base
from app.domain.rate_tables import seed_rows

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEED_SOURCE = "Barème initial (Banque de France / Journal officiel)"


def upgrade():
    interest_rate = op.create_table(
        "interest_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ecb",
                "legal_individual",
                "legal_other",
                name="rate_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("semester_start", sa.Date(), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("rate_bp >= 0", name=op.f("ck_interest_rate_rate_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_interest_rate_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interest_rate")),
        sa.UniqueConstraint(
            "kind", "semester_start", name=op.f("uq_interest_rate_kind_semester_start")
        ),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("formal_notice_received_on", sa.Date(), nullable=True))

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "creditor_is_individual",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("contractual_rate_bp", sa.Integer(), nullable=True))

    # Every database starts with the published rates; later semesters are added as data.
    now = datetime.now(UTC)
    op.bulk_insert(
        interest_rate,
        [
            {
                "kind": kind,
                "semester_start": start,
                "rate_bp": rate_bp,
                "source": SEED_SOURCE,
                "created_at": now,
            }
            for kind, start, rate_bp in seed_rows()
        ],
    )


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("contractual_rate_bp")
        batch_op.drop_column("creditor_is_individual")

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("formal_notice_received_on")

    op.drop_table("interest_rate")
