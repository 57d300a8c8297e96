"""Public pages: submit (no login), receipt, captcha image, status by number + code."""

import secrets

from flask import (
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from portal import captcha, oneshot
from portal.actor import Actor
from portal.auth.decorators import public
from portal.exceptions import ValidationFailed
from portal.extensions import csrf, db, limiter
from portal.suggestions import bp, queries, services, uploads
from portal.suggestions.forms import SuggestionForm, TrackForm
from portal.suggestions.services import AlreadySubmitted, Submission

RECEIPT_KEY = "suggestion_receipt"
# The session holds only the number and a random receipt id; the query code
# waits server-side (suggestion_nonces) and is handed out once.
RECEIPT_SECONDS = 30 * 60
TRACK_FAILED = "受理编号或查询码不正确，请核对后重试。"


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _submit_limit():
    return current_app.config["SUGGESTION_SUBMIT_RATE_LIMIT"]


def _render_form(form, status=200, error=None):
    form.organisation_id.choices = [SelectChoice(0, "不清楚（由监督部门确定）")] + (
        queries.organisation_choices()
    )
    return _no_store(
        (
            render_template(
                "suggestions/form.html",
                form=form,
                captcha_question=(
                    captcha.new_text_challenge() if _text_captcha() else None
                ),
                error=error,
                max_files=uploads.max_files(),
                max_mb=current_app.config["SUGGESTION_FILE_MAX_MB"],
                retention_days=current_app.config["SUGGESTION_RETENTION_DAYS"],
            ),
            status,
        )
    )


def _submission(form):
    return Submission(
        form_token=form.form_token.data,
        category=form.category.data,
        organisation_id=form.organisation_id.data or None,
        place=form.place.data or "",
        occurred_on=form.occurred_on.data,
        description=form.description.data,
        is_anonymous=bool(form.is_anonymous.data),
        contact_phone=form.contact_phone.data or None,
        contact_name=form.contact_name.data or None,
        hide_name=bool(form.hide_name.data),
        sms_notify=bool(form.sms_notify.data),
    )


def _text_captcha():
    """The accessible captcha (a question asked as text) instead of the image."""
    return request.args.get("captcha") == "text"


def _captcha_limit():
    return current_app.config["SUGGESTION_CAPTCHA_RATE_LIMIT"]


@bp.route("/", methods=["GET", "POST"])
@public
@csrf.exempt  # CSRF is checked below, after the request limit is raised
@limiter.limit(_submit_limit, methods=["POST"])
# Showing the form with a text question creates a challenge, as the image does:
# the same limit, counted together with the image's.
@limiter.shared_limit(
    _captcha_limit,
    scope="suggestion-captcha",
    methods=["GET"],
    exempt_when=lambda: not _text_captcha(),
)
def submit():
    """The public form (no login). Every check passes before anything is stored;
    a refused submission keeps the text the user typed."""
    if request.method == "POST":
        request.max_content_length = uploads.request_limit()
        try:
            request.form  # noqa: B018 - parse now, under this route's limit
        except RequestEntityTooLarge:
            form = SuggestionForm(formdata=None, form_token=secrets.token_urlsafe(24))
            message = (
                f"附件总大小超过限制（每个不超过 "
                f"{current_app.config['SUGGESTION_FILE_MAX_MB']} MB），未保存任何内容"
            )
            return _render_form(form, 413, message)
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
    form = SuggestionForm()
    if request.method == "GET":
        form.form_token.data = secrets.token_urlsafe(24)
        return _render_form(form)
    existing = queries.suggestion_by_form_token(form.form_token.data)
    if existing is not None:
        return _repeat_receipt(existing)
    form.organisation_id.choices = [
        SelectChoice(0, "")
    ] + queries.organisation_choices()
    if not form.validate():
        return _render_form(form, 400)
    failure = captcha.check(form.captcha.data)
    db.session.commit()  # the captcha's nonce is spent, whatever follows
    if failure:
        form.captcha.errors = [captcha.MESSAGES[failure]]
        return _render_form(form, 400)
    try:
        prepared = uploads.prepare(request.files.getlist(form.attachments.name))
    except ValidationFailed as exc:
        form.attachments.errors = [exc.message + "。请重新选择附件。"]
        return _render_form(form, 400, exc.message)
    stored = uploads.store(prepared)
    try:
        suggestion, code = services.submit_suggestion(
            _submission(form), stored, Actor.public()
        )
        receipt_id = secrets.token_urlsafe(24)
        oneshot.store(f"receipt:{receipt_id}", code, RECEIPT_SECONDS)
        db.session.commit()
    except AlreadySubmitted as exc:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        return _repeat_receipt(exc.suggestion)
    except BaseException:
        db.session.rollback()
        uploads.remove([f.stored_name for f in stored])
        raise
    session[RECEIPT_KEY] = {"number": suggestion.number, "receipt": receipt_id}
    return redirect(url_for("suggestions.receipt"))


def _repeat_receipt(suggestion):
    receipt = session.get(RECEIPT_KEY)
    if not receipt or receipt.get("number") != suggestion.number:
        session[RECEIPT_KEY] = {"number": suggestion.number, "receipt": None}
    return redirect(url_for("suggestions.receipt"))


@bp.get("/receipt")
@public
def receipt():
    """The confirmation: 受理编号 and the query code, shown once."""
    data = session.pop(RECEIPT_KEY, None)
    suggestion = queries.suggestion_by_number(data["number"]) if data else None
    code = None
    if data and data.get("receipt"):
        code = oneshot.take(f"receipt:{data['receipt']}")
        db.session.commit()
    return _no_store(
        render_template(
            "suggestions/receipt.html",
            suggestion=suggestion,
            code=code,
        )
    )


@bp.get("/captcha.png")
@public
@limiter.shared_limit(_captcha_limit, scope="suggestion-captcha")
def captcha_image():
    """A fresh captcha picture; the answer's HMAC goes into the session."""
    response = make_response(captcha.new_challenge())
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/track", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["SUGGESTION_TRACK_RATE_LIMIT"], methods=["POST"]
)
def track():
    """Status by 受理编号 + 查询码 (POST, so the code stays out of URLs and logs).
    A wrong number and a wrong code get the same message."""
    form = TrackForm()
    if form.validate_on_submit():
        suggestion = queries.find_for_tracking(form.number.data, form.code.data)
        from portal.suggestions.handling import public_views

        if suggestion is not None:
            public_views.grant(suggestion)  # rating and contest forms (handling)
            return public_views.render_status(suggestion)
        public_views.revoke()
        return _no_store(
            (
                render_template(
                    "suggestions/track.html", form=form, error=TRACK_FAILED
                ),
                200,
            )
        )
    status = 400 if request.method == "POST" else 200
    return _no_store((render_template("suggestions/track.html", form=form), status))
