"""One search for everything (issue 19): the search page, "seen before?", the rebuild. The
index and its engine are :mod:`dmsu.core.search`; each area says what its documents are in
its ``search_documents`` module."""
