"""The one reading of a list's ``?page=``.

Every paginated list (tickets, the sweep and the outbox, the wiki's lists and histories, the
cheat sheet's history, requirements, forums, search) takes its page number through
:func:`page_number`: a whole number kept between 1 and the list's last possible page. Each
list used to read it its own way, and the sweep's had no upper bound: a page number beyond
64 bits reached the database and answered 500 (hardening round 2, "ids and page numbers
beyond 64 bits").
"""

from __future__ import annotations

MAX_PAGE = 100_000
"""No list of the site has more pages; a larger number shows the last page's place (empty)."""


def page_number(value, maximum: int = MAX_PAGE) -> int:
    """``value`` (a query argument: text or None) as a page number from 1 to ``maximum``;
    missing, not a whole number, or below 1 is page 1."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return 1
    if text.isascii() and text.isdigit() and len(text) > len(str(maximum)):
        return maximum  # more digits than the last page has (and maybe than int() reads)
    try:
        number = int(text)
    except ValueError:
        return 1
    return min(max(number, 1), maximum)
