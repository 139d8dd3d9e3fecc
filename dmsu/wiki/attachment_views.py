"""Attachments: ``/wiki/<slug>/attachments`` (list, upload) and
``/wiki/<slug>/files/<id>/<name>`` (download with safe headers). An attachment is as
visible as its page (:meth:`Attachment.visible_to`): internal ones answer 404 to the public."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for

from dmsu.wiki import attachments
from dmsu.wiki.blueprint import bp
from dmsu.wiki.models import Attachment, Page
from dmsu.wiki.views import require_editor, viewer, visible_page_or_404

FILE_CSP = "default-src 'none'; sandbox"


def _listing(page):
    return list(
        Attachment.visible_to(viewer())
        .where(Attachment.page == page.id)
        .order_by(Attachment.uploaded_at.desc())
    )


@bp.route("/wiki/<slug>/attachments", methods=["GET", "POST"])
def attachments_page(slug: str):
    page = visible_page_or_404(slug)
    if request.method == "GET":
        return render_template("wiki/attachments.html", page=page, files=_listing(page))
    require_editor()
    upload = request.files.get("attachment")
    error = None
    if upload is None or not upload.filename:
        error = "Choose a file to attach."
    else:
        try:
            data, content_type, filename = attachments.read_upload(
                upload.stream, upload.filename, current_app.config["DMSU_ATTACHMENT_MAX_BYTES"]
            )
        except attachments.AttachmentError as exc:
            error = str(exc)
    if error:
        body = render_template(
            "wiki/attachments.html", page=page, files=_listing(page), error=error
        )
        return body, 400
    attachments.attach(page, viewer(), data, content_type, filename, current_app.instance_path)
    flash(f"Attached “{filename}”.", "success")
    return redirect(url_for("wiki.attachments_page", slug=slug))


@bp.get("/wiki/<slug>/files/<int(max=2147483647):attachment_id>/<name>")
def attachment_file(slug: str, attachment_id: int, name: str):
    attachment = (
        Attachment.visible_to(viewer(), Attachment, Page.slug.alias("page_slug"))
        .where(Attachment.id == attachment_id)
        .objects()
        .first()
    )
    if attachment is None or attachment.filename != name or attachment.page_slug != slug:
        abort(404)
    path = attachments.path_of(attachment, current_app.instance_path)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=not attachment.is_image,
        download_name=attachment.filename,
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    if attachment.is_image:
        response.headers["Content-Disposition"] = f'inline; filename="{attachment.filename}"'
    return response
