"""The result store: every HIL run recorded in SQL (SQLite by default, PostgreSQL for labs).

Modules: :mod:`~harness.store.store` (:class:`ResultStore`, the write protocol),
:mod:`~harness.store.location` (which database: ``--db``, ``$FERHIL_DB``, default file),
:mod:`~harness.store.schema` (tables), :mod:`~harness.store.records` (document <-> rows),
:mod:`~harness.store.importing` (``results.json`` import), :mod:`~harness.store.options`
(option rows). This package file imports nothing, so the option rows load without SQLAlchemy.
"""
