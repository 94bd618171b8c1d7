"""Alembic environment: always handed an open connection by Attunement, never a URL."""

from alembic import context

from attunement.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # The caller already holds one transaction around the whole upgrade, so a migration
    # killed halfway rolls back to the previous version as a unit.
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
