"""The numbered schema migrations ``mNNNN_name.py``, each with ``up(db, migrator)``; the runner
that applies them, in order and each in a transaction, is :mod:`dmsu.core.schema`."""
