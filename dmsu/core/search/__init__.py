"""The one search index of the site: a document per searchable thing (a ticket with its whole
diary, a wiki page, a digest, a requirement, a forum thread), in one table, with the full-text
index of each database kept in step by the database itself.

This package knows no area: each area says what its documents are (``<area>/search_documents.py``)
and writes them here from the one place its writes go through; :mod:`dmsu.search` reads the
index for the search page and "seen before?".

- :mod:`.models` — the ``search_document`` table and its one visibility rule.
- :mod:`.schema` — the full-text index of each database (FTS5 / tsvector + GIN), made by
  migration m1000 and made again by ``flask dmsu search-rebuild`` after a change of tokenizer.
- :mod:`.documents` — putting and removing documents.
- :mod:`.query` — what a person typed, turned into a query no input can break.
- :mod:`.engine` — matching, ranking and snippets.
"""
