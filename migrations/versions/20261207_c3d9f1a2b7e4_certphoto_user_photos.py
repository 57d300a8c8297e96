"""ID photos of users (证件照), printed on certificates (certphoto)

Revision ID: c3d9f1a2b7e4
Revises: b7e2c4a91f05
Create Date: 2026-12-07 04:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c3d9f1a2b7e4"
down_revision = "b7e2c4a91f05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("photo_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("photo_updated_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("photo_updated_at")
        batch_op.drop_column("photo_key")
