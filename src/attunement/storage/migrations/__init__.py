"""Alembic migrations of the journal schema (run by attunement.storage.engine)."""
