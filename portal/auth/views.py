from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user

from portal import audit, captcha
from portal.actor import Actor
from portal.auth import bp, photos, services, throttle
from portal.auth.decorators import public
from portal.auth.forms import ChangePasswordForm, LoginForm, PhotoForm
from portal.auth.session import start_session
from portal.exceptions import DomainError
from portal.extensions import db, limiter


def _safe_next(target):
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    return target


CAPTCHA_SESSION_KEY = "login_captcha"


def _render_login(form, captcha_needed, status=200):
    # ?captcha=text asks the same kind of sum as text (screen readers, WCAG 2.1
    # 1.1.1); the form posts back to the same address, so the choice stays.
    text_question = None
    if captcha_needed and request.args.get("captcha") == "text":
        text_question = captcha.new_text_challenge(key=CAPTCHA_SESSION_KEY)
    return (
        render_template(
            "auth/login.html",
            form=form,
            captcha_needed=captcha_needed,
            text_question=text_question,
            next_target=_safe_next(request.args.get("next")),
        ),
        status,
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Sign in with username or ID number and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        typed = form.login.data
        if throttle.captcha_required(typed):
            failure = captcha.check(form.captcha.data, key=CAPTCHA_SESSION_KEY)
            if failure:
                audit.record(
                    "login_failed",
                    Actor.from_request(),
                    label=services.audit_login_label(typed),
                    after="验证码未通过",
                    outcome="refused",
                )
                db.session.commit()  # the captcha nonce is spent
                form.captcha.errors = [captcha.MESSAGES[failure]]
                return _render_login(form, True)
        try:
            user = services.authenticate(
                typed, form.password.data, Actor.from_request()
            )
        except DomainError as exc:
            db.session.commit()  # keep the failure count and the audit entries
            throttle.record_failure(typed)
            form.password.errors.append(exc.message)
            return _render_login(form, throttle.captcha_required(typed))
        db.session.commit()
        throttle.clear(typed)
        start_session(user)
        target = _safe_next(request.args.get("next"))
        if user.must_change_password:
            return redirect(url_for("auth.change_password"))
        return redirect(target or url_for("main.dashboard"))
    return _render_login(form, False)


@bp.get("/login/captcha.png")
@public
@limiter.limit(lambda: current_app.config["SUGGESTION_CAPTCHA_RATE_LIMIT"])
def login_captcha():
    """A fresh login captcha picture (offline, portal/captcha.py)."""
    response = make_response(captcha.new_challenge(key=CAPTCHA_SESSION_KEY))
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/logout")
@login_required
def logout():
    """Sign out."""
    user = current_user._get_current_object()
    # End the session server-side: a copied cookie carries the old version.
    services.end_sessions(user)
    audit.record("logout", Actor.from_request(user), user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("您已安全退出。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password (forced on first login and after a reset)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user,
                form.old_password.data,
                form.new_password.data,
                Actor.from_request(user),
            )
        except DomainError as exc:
            db.session.rollback()
            return (
                render_template(
                    "auth/change_password.html", form=form, error=exc.message
                ),
                400,
            )
        db.session.commit()
        # The session id embeds session_version, so keep this session valid.
        start_session(user)
        flash("密码已修改。", "success")
        return redirect(url_for("main.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


def _render_photo_page(form, error=None, status=200):
    return render_template("auth/photo.html", form=form, error=error), status


@bp.route("/profile/photo", methods=["GET", "POST"])
@login_required
def my_photo():
    """证件照: the signed-in user sees, uploads or replaces their own ID photo."""
    form = PhotoForm()
    if not form.is_submitted():
        return _render_photo_page(form)
    if not form.validate_on_submit():
        return _render_photo_page(form, status=400)
    user = current_user._get_current_object()
    try:
        stored, digest = photos.accept(form.photo.data)
        replaced = services.set_photo(user, stored, digest, Actor.from_request(user))
    except DomainError as exc:
        db.session.rollback()
        return _render_photo_page(form, error=exc.message, status=400)
    db.session.commit()
    photos.discard(replaced)
    flash("证件照已更换。" if replaced else "证件照已上传。", "success")
    return redirect(url_for("auth.my_photo"))


@bp.post("/profile/photo/delete")
@login_required
def delete_my_photo():
    """Remove one's own ID photo (audited)."""
    user = current_user._get_current_object()
    try:
        removed = services.remove_photo(user, Actor.from_request(user))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("auth.my_photo"))
    db.session.commit()
    photos.discard(removed)
    flash("证件照已删除。", "success")
    return redirect(url_for("auth.my_photo"))


@bp.get("/profile/photo.jpg")
@login_required
def my_photo_file():
    """One's own stored ID photo (never cached)."""
    return photos.response(current_user.photo_key)
