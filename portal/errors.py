"""Application-wide error handlers with Chinese pages and JSON negotiation (R10)."""

import logging

from flask import jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.exceptions import DomainError
from portal.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    403: ("无权访问", "您的账号没有访问此页面的权限。如有疑问请联系系统管理员。"),
    404: ("页面不存在", "您访问的页面不存在或已被删除。"),
    405: ("请求方式不被允许", "此页面不支持该请求方式。"),
    413: ("上传内容过大", "上传的文件超过了允许的大小，请压缩或拆分后重试。"),
    429: ("操作过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("系统内部错误", "系统出现了意外错误，已记录。请稍后重试，或联系系统管理员。"),
}


def _wants_json():
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(status, detail=None):
    """Render the Chinese error page (or JSON) for ``status``."""
    title, message = MESSAGES.get(
        status, MESSAGES[500] if status >= 500 else MESSAGES[400]
    )
    if detail:
        message = detail
    if _wants_json():
        return jsonify(error=title, message=message, status=status), status
    return render_template(
        "errors/error.html", status=status, title=title, message=message
    ), status


def _audit_refusal(action, detail):
    """Record a refused request (等保 安全审计); never let auditing break the page."""
    from flask_login import current_user

    from portal import audit
    from portal.actor import Actor

    try:
        db.session.rollback()  # nothing of the refused request is kept
        actor = (
            Actor.from_request()
            if current_user and current_user.is_authenticated
            else Actor.public()
        )
        audit.record(
            action,
            actor,
            label=f"{request.method} {request.path}"[:255],
            after=detail,
            outcome="refused",
        )
        db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        logger.exception("Could not audit a refused request to %s", request.path)


def _audit_http_refusal(code):
    from flask_login import current_user

    if code == 403:
        _audit_refusal("access_refused", "无权访问（403）")
    elif (
        code == 404
        and request.view_args
        and request.endpoint not in (None, "static", "bootstrap.static")
        and current_user
        and current_user.is_authenticated
    ):
        # An object route: the object is missing or outside the user's scope.
        _audit_refusal("access_refused", "对象不存在或无权查看（404）")
    elif code == 429:
        _audit_refusal("rate_limited", "请求过于频繁（429）")


def _render_then_audit(render, audit):
    """The page first, then the audit entry: auditing rolls the request back
    and commits, which expires the signed-in user, so a page rendered after it
    would load the user again (the authorization matrix's hot path). The page
    renders without autoflush: the refused request's pending changes are not
    written, only rolled back by the audit."""
    with db.session.no_autoflush:
        response = make_response(render())
    audit()
    return response


def handle_http_exception(exc):
    if exc.code is None or exc.code < 400:
        return exc
    response = _render_then_audit(
        lambda: render_error(exc.code), lambda: _audit_http_refusal(exc.code)
    )
    # Keep the exception's own headers (``Allow`` on 405, ``Retry-After``, ...).
    for name, value in exc.get_headers(request.environ):
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def handle_csrf_error(exc):
    return _render_then_audit(
        lambda: render_error(
            400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。"
        ),
        lambda: _audit_refusal("csrf_failed", "表单校验失败（CSRF）"),
    )


def handle_domain_error(exc):
    db.session.rollback()
    if exc.status_code != 403:
        return render_error(exc.status_code, exc.message)
    return _render_then_audit(
        lambda: render_error(exc.status_code, exc.message),
        lambda: _audit_refusal("access_refused", exc.message),
    )


def handle_internal_error(exc):
    db.session.rollback()
    original = getattr(exc, "original_exception", None)
    logger.exception("Unhandled error on %s", request.path, exc_info=original or exc)
    return render_error(500)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_internal_error)
