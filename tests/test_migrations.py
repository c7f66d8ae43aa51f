"""The schema comes only from Alembic, and the migrations match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from aspm.db.all_models import Base
from aspm.db.migrate import include_name


def test_migrations_match_models(connection: Connection) -> None:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    assert compare_metadata(context, Base.metadata) == []
