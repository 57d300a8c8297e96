"""Browse and search the law library; administrators add regulations."""

import io
import re

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from nlp.numerals import parse_int
from portal.actor import Actor
from portal.auth.decorators import roles_required
from portal.auth.roles import TRAINING_ADMINS
from portal.exceptions import DomainError
from portal.extensions import db
from portal.laws import bp, queries, services
from portal.laws.forms import ProvisionForm
from portal.laws.models import Law, LawArticle

_ARTICLE_HEAD = re.compile(r"^\s*第\s*([零〇一二两三四五六七八九十百千\d]+)\s*条\s*")


@bp.get("/")
@login_required
def list_laws():
    """Laws by name, with search."""
    q = request.args.get("q", "")
    status = request.args.get("status", "")
    page = db.paginate(queries.search_laws(q, status), per_page=30, error_out=False)
    return render_template(
        "laws/law_list.html",
        page=page,
        q=q,
        status=status,
        can_add=current_user.has_role(*TRAINING_ADMINS),
    )


@bp.get("/<int:law_id>")
@login_required
def show_law(law_id):
    """One law with its articles."""
    law = db.get_or_404(Law, law_id)
    return render_template("laws/law_show.html", law=law)


@bp.get("/articles")
@login_required
def search_articles():
    """Articles by keyword or number."""
    q = request.args.get("q", "")
    law_id = request.args.get("law", type=int)
    page = found = None
    if q.strip() or law_id:
        found = queries.search_articles(q, law_id)
        page = db.paginate(found.stmt, per_page=30, error_out=False)
    return render_template(
        "laws/article_search.html", page=page, q=q, law_id=law_id, found=found
    )


@bp.get("/articles/<int:article_id>.json")
@login_required
def article_json(article_id):
    """An article's text (for the legal-basis tooltip of questions)."""
    article = db.get_or_404(LawArticle, article_id)
    return {
        "id": article.id,
        "citation": article.citation,
        "text": article.text,
        "law_status": article.law.status,
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def add_provision():
    """Add a regulation that the national library does not hold."""
    form = ProvisionForm()
    if form.validate_on_submit():
        articles = _split_articles(form.articles.data)
        if not articles:
            form.articles.errors.append("未识别到条文：每条应以“第N条”开头")
        else:
            try:
                law = services.add_provision(
                    Actor.from_request(),
                    name=form.name.data,
                    level=form.level.data,
                    issuer=form.issuer.data or "",
                    effective_date=form.effective_date.data,
                    articles=articles,
                )
            except DomainError as exc:
                flash(str(exc), "danger")
            else:
                db.session.commit()
                flash(f"已添加《{law.name}》，共 {len(articles)} 条。", "success")
                return redirect(url_for("laws.show_law", law_id=law.id))
    return render_template("laws/provision_new.html", form=form), (
        400 if form.errors else 200
    )


@bp.get("/changes")
@roles_required(*TRAINING_ADMINS)
def list_changes():
    """What law imports changed."""
    page = db.paginate(queries.recent_changes(), per_page=50, error_out=False)
    return render_template("laws/change_list.html", page=page)


def _split_articles(text):
    """Split pasted text into (number, text) at each line starting with 第N条."""
    articles, number, lines = [], None, []
    for line in (text or "").splitlines():
        head = _ARTICLE_HEAD.match(line)
        if head:
            if number is not None:
                articles.append((number, "\n".join(lines).strip()))
            number, lines = parse_int(head.group(1)), [line[head.end() :]]
        elif number is not None:
            lines.append(line)
    if number is not None:
        articles.append((number, "\n".join(lines).strip()))
    return [(n, t) for n, t in articles if n and t]


class ProvisionUploadForm(FlaskForm):
    file = FileField(
        "Excel 文件（.xlsx）", validators=[FileRequired("请选择要上传的文件")]
    )
    submit = SubmitField("检查并导入")


@bp.get("/import/template.xlsx")
@roles_required(*TRAINING_ADMINS)
def download_provision_template():
    """The .xlsx template for regulations (one row per article)."""
    from portal.laws.excel import build_template

    return send_file(
        io.BytesIO(build_template()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name="法规条文导入模板.xlsx",
    )


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*TRAINING_ADMINS)
def import_provisions():
    """Regulations from Excel: every row is checked; nothing is saved on any error."""
    from portal.laws.excel import read_provisions, save_provisions
    from portal.uploads import FormatError

    form = ProvisionUploadForm()
    errors = []
    if form.validate_on_submit():
        try:
            rows = read_provisions(form.file.data.read())
        except FormatError as exc:
            form.file.errors.append(str(exc))
        else:
            if rows.errors:
                errors = sorted(rows.errors)
            else:
                laws = save_provisions(rows, Actor.from_request())
                db.session.commit()
                flash(f"已导入 {len(laws)} 部法规、{rows.articles} 条条文。", "success")
                return redirect(url_for("laws.list_laws"))
    status = 400 if (form.errors or errors) else 200
    return render_template(
        "laws/provision_import.html", form=form, errors=errors
    ), status
