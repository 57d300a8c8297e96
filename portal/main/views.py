import sqlalchemy as sa
from flask import jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from exams.queries import candidate_overview, learning_summary
from portal.auth.decorators import public
from portal.auth.models import Role
from portal.auth.roles import LEARNERS
from portal.extensions import db
from portal.main import bp
from portal.main.dashboard import panels_for
from portal.timeutil import utcnow


@bp.get("/")
@public
def index():
    """Send visitors to their dashboard or the login page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.get("/dashboard")
@login_required
def dashboard():
    """One panel per role the user holds."""
    user = current_user._get_current_object()
    overview = summary = None
    if user.has_role(*LEARNERS):
        overview = candidate_overview(user.id, utcnow())
        summary = learning_summary(user, utcnow())
    return render_template(
        "main/dashboard.html",
        panels=panels_for(user),
        overview=overview,
        summary=summary,
        now=utcnow(),
        Role=Role,
    )


@bp.get("/healthz")
@public
def healthz():
    """Liveness and database reachability for load balancers."""
    db.session.execute(sa.text("SELECT 1"))
    return jsonify(status="ok")
