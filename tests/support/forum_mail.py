"""Raw list mail for the forums tests, made with the standard library as a list would send it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIST = "user-forum@dcache.org"


def mail(
    n: int = 1,
    *,
    subject: str = "dCache pool does not start",
    body: str = "Hello,\nour pool does not start after the upgrade.\n",
    sender: str = "Ann Example <ann@site.example.org>",
    to: str = LIST,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    at: datetime | None = None,
    headers: dict | None = None,
    attachment: bytes | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at or BASE + timedelta(hours=n))
    message["Message-ID"] = message_id if message_id is not None else f"<m{n}@site.example.org>"
    message["List-Id"] = f"<{to.replace('@', '.')}>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if attachment is not None:
        message.add_attachment(
            attachment, maintype="application", subtype="octet-stream", filename="pool.log.gz"
        )
    return bytes(message)
