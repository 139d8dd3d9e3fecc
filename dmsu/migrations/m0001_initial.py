"""The initial schema: every table of :data:`dmsu.models.ALL_MODELS`."""


def up(db, migrator):
    from dmsu.models import ALL_MODELS

    db.create_tables(ALL_MODELS)
