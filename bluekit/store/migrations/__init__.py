"""The schema's history as Alembic revisions (`versions/`, one file per schema version, the
first three being bluekit's versions 1 to 3), and Alembic's environment (`env.py`), which runs
them on the connection and in the transaction bluekit opened. `bluekit.store.schema` says which
revision is current; `bluekit.store.upgrade` runs them."""
