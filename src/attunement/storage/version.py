"""What opening a journal needs to know before SQLAlchemy or Alembic is imported.

``HEAD_REVISION`` is the Alembic revision this code expects; a journal already there is
opened with the database driver alone, and Alembic is imported only when a migration is
due. tests/test_storage_schema.py checks that it names the newest migration.
"""

HEAD_REVISION = "0010"

LOCAL_OWNER = "local"
