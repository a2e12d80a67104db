"""Alembic environment: always run by xlbilling.ledger.store.migrate on a
connection it opened (config.attributes['connection']), never from the
alembic command line with a URL of its own."""
from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True,
                  transaction_per_migration=False)
context.run_migrations()
