"""The submitter's side on the public status page: rating and contest.

After a successful lookup by number + query code, the session holds a short-lived
grant for that item (its id and an expiry, no code: the session cookie is signed
but readable). The rating and contest forms post against the grant; without it
the submitter is sent back to the lookup form.
"""

import time

from flask import abort, flash, redirect, render_template, session, url_for

from portal.actor import Actor
from portal.auth.decorators import public
from portal.exceptions import DomainError
from portal.extensions import db
from portal.suggestions import bp, uploads
from portal.suggestions.handling import feedback, services
from portal.suggestions.handling.bp_helpers import no_store
from portal.suggestions.handling.forms import ContestForm, RateForm
from portal.suggestions.models import Suggestion, SuggestionAttachment
from portal.workdays import queries as workday_queries

GRANT_KEY = "suggestion_tracked"
GRANT_SECONDS = 30 * 60
EXPIRED = "查询已超时，请重新输入受理编号和查询码。"
OTHER_ITEM = (
    "本页面对应的受理编号与您最近查询的不一致（可能在其他窗口查询了另一件），"
    "未作任何更改。请核对后重新操作。"
)


def grant(suggestion):
    """Remember that this browser proved number + code for ``suggestion``."""
    session[GRANT_KEY] = {
        "id": suggestion.id,
        "until": int(time.time()) + GRANT_SECONDS,
    }


def revoke():
    """Forget the grant (a failed lookup must not leave an older grant usable)."""
    session.pop(GRANT_KEY, None)


def _granted():
    data = session.get(GRANT_KEY)
    if not data or data.get("until", 0) < time.time():
        return None
    return db.session.get(Suggestion, data.get("id"))


def render_status(suggestion, status=200, rate_form=None, contest_form=None):
    """The public status page, with the rating and contest forms when allowed."""
    return no_store(
        (
            render_template(
                "suggestions/status.html",
                suggestion=suggestion,
                rate_form=rate_form
                or RateForm(formdata=None, number=suggestion.number),
                contest_form=contest_form
                or ContestForm(formdata=None, number=suggestion.number),
                can_rate=feedback.can_rate(suggestion),
                can_contest=feedback.can_contest(suggestion),
                rating_labels=feedback.RATING_LABELS,
                photos=services.published_photos(suggestion),
            ),
            status,
        )
    )


def _expired():
    flash(EXPIRED, "warning")
    return redirect(url_for("suggestions.track"))


@bp.get("/track/current")
@public
def show_tracked():
    """The status page of the item looked up a moment ago (after an action)."""
    suggestion = _granted()
    if suggestion is None:
        return _expired()
    return render_status(suggestion)


def _feedback(form, form_name, action, success):
    suggestion = _granted()
    if suggestion is None:
        return _expired()
    if form.number.data != suggestion.number:
        # The page was rendered for another item than the one granted now.
        flash(OTHER_ITEM, "danger")
        return redirect(url_for("suggestions.show_tracked"))
    if not form.validate_on_submit():
        return render_status(suggestion, 400, **{form_name: form})
    try:
        action(suggestion, form)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("suggestions.show_tracked"))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("suggestions.show_tracked"))


@bp.post("/track/rate")
@public
def rate_suggestion():
    """The submitter rates the published reply (once)."""
    return _feedback(
        RateForm(),
        "rate_form",
        lambda s, f: feedback.rate_suggestion(
            s, f.rating.data, f.comment.data, Actor.public()
        ),
        "感谢您的评价。",
    )


@bp.post("/track/contest")
@public
def contest_suggestion():
    """The submitter contests the result (once): the item is reopened."""
    return _feedback(
        ContestForm(),
        "contest_form",
        lambda s, f: feedback.contest_suggestion(
            s, f.reason.data, Actor.public(), workday_queries.calendar()
        ),
        "您的异议已提交，本件将重新办理。",
    )


@bp.get("/track/photos/<int:attachment_id>")
@public
def show_reply_photo(attachment_id):
    """A reply photo staff approved for publication, for the browser that looked
    up its item (or a duplicate merged into it) a moment ago. Anything else: 404."""
    suggestion = _granted()
    attachment = db.session.get(SuggestionAttachment, attachment_id)
    if (
        suggestion is None
        or attachment is None
        or attachment.reply_id is None
        or attachment.published_at is None
        or not attachment.is_image
        or attachment not in services.published_photos(suggestion)
    ):
        abort(404)
    response = uploads.send(
        attachment.stored_name,
        mimetype=attachment.mime,
        download_name=f"答复照片{attachment.id}.{attachment.mime.split('/')[1]}",
        as_attachment=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return no_store(response)
