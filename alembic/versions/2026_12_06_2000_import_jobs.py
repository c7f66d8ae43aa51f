"""import jobs: ingest_runs.progress_bytes, and on PostgreSQL the job queue's schema (procrastinate)

Uploads to a PostgreSQL server are queued (aspm.jobs): the import row exists from the upload on
(queued, running with progress_bytes, then ok or error). The queue's tables and functions are
procrastinate 3.10.0's, applied from alembic/sql (a frozen copy, so this migration always
creates the same schema). SQLite imports inline and has no queue.

Revision ID: 5d2a7c19e4b8
Revises: 4c1e2d7a9b30
Create Date: 2026-12-06 20:00:00
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "5d2a7c19e4b8"
down_revision: str | None = "4c1e2d7a9b30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_SCHEMA = Path(__file__).resolve().parents[1] / "sql" / "procrastinate-3.10.0.sql"


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("progress_bytes", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # the driver's own execute: the script holds several statements, $$ bodies and % signs
        cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(QUEUE_SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            DO $$
            DECLARE f record;
            BEGIN
                DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
                    procrastinate_jobs, procrastinate_workers CASCADE;
                FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                         JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE p.proname LIKE 'procrastinate\\_%' AND n.nspname = current_schema()
                LOOP
                    EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';
                END LOOP;
                DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
                    procrastinate_job_status CASCADE;
            END $$;
            """
        )
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("progress_bytes")
