"""Alembic environment. We only used alembic from 2019 on; before that: schema.sql by hand."""
from alembic import context
from sqlalchemy import engine_from_config, pool

from shop.models import metadata

config = context.config
target_metadata = metadata


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
