"""Attachments of wiki pages: images and files kept under ``instance/attachments``.

The type is decided by sniffing the first bytes, never by the name or the browser's claim:
PNG, JPEG, GIF, WebP, PDF and plain UTF-8 text are accepted; anything else (SVG and HTML in
particular, which can carry script) is refused. Files are stored under random names and
served with ``X-Content-Type-Options: nosniff``, ``Content-Security-Policy: default-src
'none'`` and, for anything but an image, ``Content-Disposition: attachment``.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from pathlib import Path

from dmsu.auth.permissions import require
from dmsu.core import clock
from dmsu.core.db import write_transaction
from dmsu.wiki.models import Attachment, Page

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_MARKUP = re.compile(rb"<\s*(!doctype|html|svg|script|body|head|iframe|\?xml)", re.IGNORECASE)
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


class AttachmentError(ValueError):
    """A file that cannot be attached; the message is one sentence."""


def sniff(data: bytes) -> str | None:
    """The content type of ``data`` from its first bytes, or None when it is not allowed."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    head = data[:4096]
    if b"\x00" in head or _MARKUP.search(head):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text/plain"


def safe_filename(name: str, content_type: str) -> str:
    """A display file name of letters, digits, dots, dashes and underscores."""
    base = unicodedata.normalize("NFKD", Path(name or "").name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base).strip(".-")[:120] or "file"
    extension = _EXTENSIONS[content_type]
    if not base.lower().endswith(extension) and not (
        extension == ".jpg" and base.lower().endswith(".jpeg")
    ):
        base = f"{base.rsplit('.', 1)[0] if '.' in base else base}{extension}"
    return base


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} MB"


def read_upload(stream, filename: str, max_bytes: int) -> tuple[bytes, str, str]:
    """Read an uploaded file within the limit; return (data, content type, file name)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise AttachmentError(
            f"The file “{Path(filename or 'file').name}” is larger than the limit of "
            f"{human_size(max_bytes)}; your text was kept, attach a smaller file."
        )
    if not data:
        raise AttachmentError("The file is empty.")
    content_type = sniff(data)
    if content_type is None:
        raise AttachmentError(
            "Only PNG, JPEG, GIF and WebP images, PDF and plain-text files can be attached."
        )
    return data, content_type, safe_filename(filename, content_type)


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def attach(page: Page, user, data: bytes, content_type: str, filename: str, instance_path: str):
    """Store a checked file for ``page`` (``wiki.edit``); the page shows it at once."""
    require(user, "wiki.edit", "attach files to wiki pages")
    stored_name = secrets.token_hex(16)
    target = folder(instance_path) / stored_name
    target.write_bytes(data)
    try:
        with write_transaction("wiki"):
            attachment = Attachment.create(
                page=page.id,
                filename=filename,
                stored_name=stored_name,
                content_type=content_type,
                size=len(data),
                uploaded_by=user,
                uploaded_at=clock.now(),
            )
            Page.update(changed_at=clock.now()).where(Page.id == page.id).execute()
    except Exception:
        target.unlink(missing_ok=True)
        raise
    return attachment


def path_of(attachment: Attachment, instance_path: str) -> Path:
    return folder(instance_path) / attachment.stored_name
