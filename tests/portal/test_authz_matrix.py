"""Authorization matrix: every route × every role (and anonymous visitors).

``EXPECTED`` lists, for each endpoint of the URL map, the requests made against it and
the outcome expected for each principal. An outcome is either an HTTP status (``200``,
``400``, ``403``) or a path: a ``302`` redirect whose ``Location`` path equals it (or,
when it ends with ``/``, starts with it). ``LOGIN`` is the redirect of anonymous
visitors to the login page.

A route added without an entry here fails :func:`test_every_route_is_in_the_matrix`.
"""

import itertools
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from portal import create_app
from portal.auth.models import Role
from portal.config import TestConfig
from tests.factories import PASSWORD
from tests.portal import matrix_supervision as sv
from tests.suggestions.support import pdf_bytes

ANON = "anonymous"
ROLES = [role.value for role in Role]
PRINCIPALS = [ANON, *ROLES]
SYS = {Role.SYS_ADMIN.value}
ADMINS = {Role.SYS_ADMIN.value, Role.TRAINING_ADMIN.value}
LOGIN = "/login"
CATALOGUE_MANAGERS = {Role.SYS_ADMIN.value, Role.SUPERVISION_STAFF.value}
REVIEWERS = {Role.SUPERVISION_STAFF.value, Role.INVITED_SUPERVISOR.value}

# Served files, not views: they carry no guard and are reachable by everyone.
STATIC_ENDPOINTS = {"static", "bootstrap.static", "exams.static", "training.static"}

_serial = itertools.count(1)


# Expectation builders ----------------------------------------------------------


def everyone(outcome):
    """The same outcome for anonymous visitors and every role."""
    return dict.fromkeys(PRINCIPALS, outcome)


def signed_in(outcome):
    """Any signed-in user gets ``outcome``; anonymous visitors go to the login page."""
    return {ANON: LOGIN, **dict.fromkeys(ROLES, outcome)}


def only(allowed, outcome=200):
    """``allowed`` roles get ``outcome``, other roles 403, anonymous the login page."""
    return {ANON: LOGIN, **{r: outcome if r in allowed else 403 for r in ROLES}}


# Targets ------------------------------------------------------------------------


class Ctx:
    """What URL and form builders see: the world and a way to make throwaways."""

    def __init__(self, world, factories):
        self.world = world
        self.factories = factories

    def throwaway(self, role=None):
        """A fresh account inside the training admin's scope (world.agency).

        State-changing requests target one of these per principal so that earlier
        principals (a revoked grant, a reset password) cannot change later outcomes.
        """
        return self.factories.user(organisation=self.world.agency, role=role)


@dataclass(frozen=True)
class Case:
    method: str
    url: object  # Ctx -> str
    expected: dict  # principal -> outcome
    data: object = None  # Ctx -> dict, for POST


def _const(url):
    return lambda ctx: url


def _user_url(suffix=""):
    return lambda ctx: f"/admin/users/{ctx.throwaway().id}{suffix}"


def _revoke_url(ctx):
    user = ctx.throwaway(role=Role.OFFICER)
    return f"/admin/users/{user.id}/roles/{user.roles[0].id}/revoke"


def _new_user_form(ctx):
    n = next(_serial)
    return {
        "username": f"matrix-new-{n}",
        "name": f"矩阵新用户{n}",
        "organisation_id": str(ctx.world.agency.id),
    }


def _new_org_form(ctx):
    n = next(_serial)
    return {
        "code": f"MX-{n}",
        "name": f"矩阵街道{n}",
        "kind": "town",
        "parent_id": str(ctx.world.district.id),
    }


def _law(ctx):
    """A small regulation added once per test (the national import is not needed)."""
    from portal.actor import Actor
    from portal.extensions import db
    from portal.laws.services import add_provision

    if not hasattr(ctx, "law"):
        ctx.law = add_provision(
            Actor.system(),
            name=f"矩阵测试条例{next(_serial)}",
            level="地方性法规",
            issuer="某市人大常委会",
            effective_date=None,
            articles=[(1, "为了测试，制定本条例。")],
        )
        db.session.commit()
    return ctx.law


def _bank(ctx):
    """A city-wide bank with one question, created once per test."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from portal.actor import Actor
    from portal.extensions import db

    if not hasattr(ctx, "bank"):
        ctx.bank = ensure_bank(f"MX{next(_serial)}", "矩阵题库")
        question = ImportedQuestion(
            type="true_false", stem="行政处罚应当公开。", key=["对"], source="第2行"
        )
        plan = plan_import(ImportResult(questions=[question], format="xlsx"), ctx.bank)
        (ctx.question,) = commit_import(plan, ctx.bank, Actor.system())
        db.session.commit()
    return ctx.bank


def _paper(ctx):
    """A blueprint paper over the matrix bank (one true/false question)."""
    from decimal import Decimal

    from exams.papers.services import create_blueprint_paper
    from portal.extensions import db

    if not hasattr(ctx, "paper"):
        bank = _bank(ctx)
        ctx.paper = create_blueprint_paper(
            "矩阵试卷",
            [
                {
                    "bank_id": bank.id,
                    "type": "true_false",
                    "count": 1,
                    "score_each": Decimal(100),
                }
            ],
            pool_factor=Decimal(1),
        )
        db.session.commit()
    return ctx.paper


def _arrangement(ctx):
    """A city-wide arrangement of the matrix paper (visible to every admin)."""
    from datetime import datetime, timedelta

    from exams.papers.services import create_arrangement
    from portal.extensions import db

    if not hasattr(ctx, "arrangement"):
        start = datetime(2027, 1, 1, 1, 0)
        ctx.arrangement = create_arrangement(
            _paper(ctx),
            name="矩阵考试",
            kind="training",
            window_start=start,
            window_end=start + timedelta(hours=4),
            organisation_id=ctx.world.district.id,
        )
        db.session.commit()
    return ctx.arrangement


def _attempt(ctx):
    """An attempt of the world's officer in an arrangement open now."""
    from datetime import timedelta

    from exams.attempts.services import start_attempt
    from exams.papers.services import create_arrangement, enrol_candidates
    from portal.extensions import db
    from portal.timeutil import utcnow

    if not hasattr(ctx, "attempt"):
        now = utcnow()
        arrangement = create_arrangement(
            _paper(ctx),
            name="矩阵在考",
            kind="training",
            window_start=now - timedelta(hours=1),
            window_end=now + timedelta(hours=5),
            organisation_id=ctx.world.district.id,
        )
        enrol_candidates(arrangement, users=[ctx.world.users["officer"]])
        ctx.attempt = start_attempt(arrangement, ctx.world.users["officer"], now)
        db.session.commit()
    return ctx.attempt


def _certificate(ctx):
    """A certificate of the world's officer (qualification path passed)."""
    from datetime import datetime

    from exams.certs.services import certificate_of_attempt
    from portal.extensions import db
    from tests.exams.cert_setup import qualify

    if not hasattr(ctx, "certificate"):
        attempt = qualify(ctx.world.users["officer"], datetime(2026, 3, 2, 1, 0))
        db.session.commit()
        ctx.certificate = certificate_of_attempt(attempt.id)
    return ctx.certificate


def _practice_session(ctx):
    """A practice set of the world's officer over the matrix bank (opened)."""
    from exams.practice.services import start_session
    from portal.extensions import db
    from portal.timeutil import utcnow

    if not hasattr(ctx, "practice_session"):
        _bank(ctx).is_practice_open = True
        ctx.practice_session = start_session(
            ctx.world.users["officer"], "random", utcnow()
        )
        db.session.commit()
    return ctx.practice_session


def _random_set_form(ctx):
    """A random set of 5 (the matrix bank is opened for practice first)."""
    _practice_session(ctx)
    return {"mode": "random", "count": "5"}


def _mistake(ctx):
    """A 错题本 entry of the world's officer (a wrong practice answer)."""
    import sqlalchemy as sa

    from exams.practice.models import MistakeEntry
    from exams.practice.services import answer_question
    from portal.extensions import db
    from portal.timeutil import utcnow

    if not hasattr(ctx, "mistake"):
        answer_question(_practice_session(ctx), 0, ["错"], utcnow())
        db.session.commit()
        ctx.mistake = db.session.scalar(sa.select(MistakeEntry))
    return ctx.mistake


def candidate_only(officer_outcome, auxiliary_outcome=404):
    """The attempt belongs to the officer: the other candidate role gets 404, other
    roles 403 (not a candidate), anonymous visitors the login page."""
    return {
        ANON: LOGIN,
        **dict.fromkeys(ROLES, 403),
        Role.OFFICER.value: officer_outcome,
        Role.AUXILIARY.value: auxiliary_outcome,
    }


def _provision_form(ctx):
    return {
        "name": f"矩阵新增条例{next(_serial)}",
        "level": "地方性法规",
        "articles": "第一条 为了测试，制定本条例。",
    }


def _user_edit_form(ctx):
    return {"name": "改名后的用户", "organisation_id": str(ctx.world.agency.id)}


LEARNERS = {Role.OFFICER.value, Role.AUXILIARY.value}


def _training_course(ctx):
    """A published course of the district for both learner roles: a text material
    and a PDF (created once per test)."""
    import io
    from datetime import datetime
    from decimal import Decimal

    from exams.training import services, uploads
    from portal.actor import Actor
    from portal.extensions import db

    if not hasattr(ctx, "training_course"):
        course = services.create_course(
            Actor.system(),
            title="矩阵课程",
            description="",
            year=2026,
            credit_hours=Decimal(2),
            for_auxiliary=True,
            for_officer=True,
            organisation_id=ctx.world.district.id,
            paper_id=None,
            quiz_minutes=30,
            quiz_attempts=3,
        )
        services.add_text_material(
            course, Actor.system(), title="正文", body="内容", required_minutes=1
        )
        stored = uploads.store_upload("pdf", io.BytesIO(pdf_bytes()))
        services.add_file_material(
            course,
            Actor.system(),
            kind="pdf",
            title="讲义",
            stored=stored,
            original_name="讲义.pdf",
            required_minutes=1,
        )
        services.publish_course(course, Actor.system(), datetime(2026, 1, 1))
        db.session.commit()
        ctx.training_course = course
    return ctx.training_course


def _draft_course(ctx):
    """An unpublished district course with one text material (fresh per request,
    so publishing or removing by one principal does not change the next)."""
    from decimal import Decimal

    from exams.training import services
    from portal.actor import Actor
    from portal.extensions import db

    course = services.create_course(
        Actor.system(),
        title=f"矩阵草稿{next(_serial)}",
        description="",
        year=2026,
        credit_hours=Decimal(1),
        for_auxiliary=True,
        for_officer=False,
        organisation_id=ctx.world.district.id,
        paper_id=None,
        quiz_minutes=30,
        quiz_attempts=3,
    )
    services.add_text_material(
        course, Actor.system(), title="正文", body="内容", required_minutes=1
    )
    db.session.commit()
    return course


def _draft_material(ctx):
    return _draft_course(ctx).materials[0]


def _course_form(ctx):
    return {
        "title": f"矩阵新课程{next(_serial)}",
        "year": "2026",
        "credit_hours": "2",
        "for_auxiliary": "y",
        "organisation_id": str(ctx.world.district.id),
        "paper_id": "0",
        "quiz_minutes": "30",
        "quiz_attempts": "3",
    }


def _catalogue_version(ctx, publish=True):
    """A catalogue version of the city (the supervision staff's scope); a fresh
    draft per call when ``publish`` is False, so state changes do not interfere."""
    from casebank.documents import validate_document
    from casebank.services import import_catalogue
    from portal.actor import Actor
    from portal.extensions import db

    if publish and hasattr(ctx, "catalogue_version"):
        return ctx.catalogue_version
    n = next(_serial)
    document = {
        "format": "zhifa.benchmarks/1",
        "name": f"矩阵裁量基准{n}",
        "issuer": "测试市城市管理局",
        "jurisdiction": "测试市",
        "effective_from": "2024-01-01",
        "items": [
            {
                "id": "MX-1",
                "violation": "擅自设置广告牌",
                "tiers": [
                    {"level": "一般", "fines": [{"min": 0, "max": 100, "unit": "yuan"}]}
                ],
            }
        ],
    }
    version = import_catalogue(
        validate_document(document),
        Actor.system(),
        jurisdiction=ctx.world.city,
        code=f"MX-{n}",
        publish=publish,
    )
    db.session.commit()
    if publish:
        ctx.catalogue_version = version
    return version


def _draft_url(suffix):
    return lambda ctx: f"/casebank/versions/{_catalogue_version(ctx, False).id}{suffix}"


CASE_ROLES = {
    Role.SYS_ADMIN.value,
    Role.SUPERVISION_STAFF.value,
    Role.AGENCY_HANDLER.value,
}


def _case_file(ctx):
    """A case of world.agency with a stored original (in every case role's scope)."""
    from flask import current_app

    from casebank.cases.intake import Entry
    from casebank.cases.services import add_cases
    from portal.actor import Actor
    from portal.extensions import db

    if hasattr(ctx, "case_file"):
        return ctx.case_file
    text = (
        "甲区城管局\n行政处罚决定书\n测城管罚〔2024〕1号\n当事人：王某。罚款500元。\n"
    )
    batch = add_cases(
        [Entry("a.txt", data=text.encode(), text=text)],
        Actor.system(),
        agency=ctx.world.agency,
        agencies=[ctx.world.agency],
        upload_dir=current_app.config["UPLOAD_DIR"],
    )
    db.session.commit()
    ctx.case_file = batch.results[0]["case_id"]
    ctx.case_batch = batch.id
    return ctx.case_file


def _case_url(suffix=""):
    return lambda ctx: f"/casebank/cases/{_case_file(ctx)}{suffix}"


def _batch_url(ctx):
    _case_file(ctx)
    return f"/casebank/cases/batches/{ctx.case_batch}"


SHEET_REVIEWERS = {Role.SYS_ADMIN.value, Role.SUPERVISION_STAFF.value}
INVITED = Role.INVITED_SUPERVISOR.value


def _review_template_url(ctx):
    from casebank.reviews.services import ensure_template
    from portal.actor import Actor
    from portal.extensions import db

    template = ensure_template(Actor.system())
    db.session.commit()
    return f"/casebank/review-templates/{template.id}"


def _opinion(ctx):
    """A 监督意见书 on the world.agency case (issued by the supervision staff)."""
    import secrets

    from casebank.cases.models import CaseFile
    from casebank.opinions import services as opinion_services
    from portal.actor import Actor
    from portal.extensions import db

    if not hasattr(ctx, "opinion"):
        case = db.session.get(CaseFile, _case_file(ctx))
        draft = opinion_services.Draft(
            secrets.token_urlsafe(24), "问题", "意见", None, 15
        )
        staff = Actor(user=ctx.world.users[Role.SUPERVISION_STAFF.value])
        ctx.opinion = opinion_services.issue_opinion(case, draft, staff).id
        db.session.commit()
    return ctx.opinion


def _opinion_url(suffix=""):
    return lambda ctx: f"/casebank/opinions/{_opinion(ctx)}{suffix}"


def _opinion_attachment_url(ctx):
    """A reply with one stored PDF attachment on the opinion."""
    import io

    from werkzeug.datastructures import FileStorage

    from casebank.opinions import services as opinion_services
    from casebank.opinions import uploads as opinion_uploads
    from casebank.opinions.models import SupervisionOpinion
    from portal.actor import Actor
    from portal.extensions import db

    if not hasattr(ctx, "opinion_attachment"):
        opinion = db.session.get(SupervisionOpinion, _opinion(ctx))
        pdf = pdf_bytes()
        stored = opinion_uploads.store(
            opinion_uploads.prepare([FileStorage(io.BytesIO(pdf), "a.pdf")])
        )
        handler = Actor(user=ctx.world.users[Role.AGENCY_HANDLER.value])
        reply = opinion_services.submit_reply(
            opinion, opinion.version, "已整改", stored, handler
        )
        db.session.commit()
        ctx.opinion_attachment = reply.attachments[0].id
    return f"/casebank/opinions/{ctx.opinion}/attachments/{ctx.opinion_attachment}"


def _oversight_item(ctx):
    """A suggestion of world.agency, assigned to it (in the district's scope),
    with one open escalation by the world's invited supervisor."""
    from portal.extensions import db
    from portal.suggestions.oversight.models import Escalation
    from tests.suggestions.oversight_support import make_suggestion

    if not hasattr(ctx, "oversight_item"):
        item = make_suggestion(
            ctx.world.agency, "13912345678", assigned_org_id=ctx.world.agency.id
        )
        escalation = Escalation(
            suggestion_id=item.id,
            supervisor_id=ctx.world.users["invited_supervisor"].id,
            reason="矩阵测试转办",
        )
        db.session.add(escalation)
        db.session.commit()
        ctx.oversight_item, ctx.oversight_escalation = item.id, escalation.id
    return ctx.oversight_item


def _oversight_url(template):
    def url(ctx):
        item_id = _oversight_item(ctx)
        return template.format(item=item_id, escalation=ctx.oversight_escalation)

    return url


EXPECTED = {
    # Public -------------------------------------------------------------------
    "main.index": (
        Case("GET", _const("/"), {ANON: LOGIN, **dict.fromkeys(ROLES, "/dashboard")}),
    ),
    "main.healthz": (Case("GET", _const("/healthz"), everyone(200)),),
    "auth.login": (
        Case(
            "GET", _const("/login"), {ANON: 200, **dict.fromkeys(ROLES, "/dashboard")}
        ),
        Case(
            "POST",
            _const("/login"),
            everyone("/dashboard"),
            lambda ctx: {"login": "officer", "password": PASSWORD},
        ),
    ),
    "auth.login_captcha": (Case("GET", _const("/login/captcha.png"), everyone(200)),),
    # Any signed-in user ---------------------------------------------------------
    "auth.logout": (Case("POST", _const("/logout"), signed_in(LOGIN)),),
    "auth.change_password": (
        Case("GET", _const("/password"), signed_in(200)),
        # An empty form is rejected (400): reaching validation is what matters here.
        Case("POST", _const("/password"), signed_in(400), lambda ctx: {}),
    ),
    # 证件照: one's own photo only (no user id in these URLs).
    "auth.my_photo": (
        Case("GET", _const("/profile/photo"), signed_in(200)),
        # No file: the form is shown again with its error.
        Case("POST", _const("/profile/photo"), signed_in(400), lambda ctx: {}),
    ),
    "auth.delete_my_photo": (
        # Nobody has a photo here: told so on the photo page.
        Case("POST", _const("/profile/photo/delete"), signed_in("/profile/photo")),
    ),
    "auth.my_photo_file": (Case("GET", _const("/profile/photo.jpg"), signed_in(404)),),
    "main.dashboard": (Case("GET", _const("/dashboard"), signed_in(200)),),
    "notifications.centre": (Case("GET", _const("/notifications/"), signed_in(200)),),
    "notifications.open_notification": (
        Case("POST", _const("/notifications/999999/open"), signed_in(404)),
    ),
    "notifications.mark_read": (
        Case("POST", _const("/notifications/999999/read"), signed_in(404)),
    ),
    "notifications.mark_all_read": (
        Case("POST", _const("/notifications/read-all"), signed_in("/notifications/")),
    ),
    "notifications.settings": (
        Case("GET", _const("/notifications/settings"), signed_in(200)),
        Case(
            "POST",
            _const("/notifications/settings"),
            signed_in("/notifications/settings"),
            data=lambda ctx: {"email": ""},
        ),
    ),
    # Organisations --------------------------------------------------------------
    "orgs.list_orgs": (Case("GET", _const("/admin/orgs/"), only(ADMINS)),),
    "orgs.create_org": (
        Case("GET", _const("/admin/orgs/new"), only(SYS)),
        Case(
            "POST", _const("/admin/orgs/new"), only(SYS, "/admin/orgs/"), _new_org_form
        ),
    ),
    "orgs.edit_org": (
        Case(
            "GET", lambda ctx: f"/admin/orgs/{ctx.world.agency.id}/edit", only(ADMINS)
        ),
        Case(
            "POST",
            lambda ctx: f"/admin/orgs/{ctx.world.agency.id}/edit",
            only(ADMINS, "/admin/orgs/"),
            lambda ctx: {"name": ctx.world.agency.name},
        ),
    ),
    # Users ----------------------------------------------------------------------
    "admin.index": (Case("GET", _const("/admin/"), only(ADMINS, "/admin/users")),),
    "admin.list_users": (Case("GET", _const("/admin/users"), only(ADMINS)),),
    "admin.create_user": (
        Case("GET", _const("/admin/users/new"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/users/new"),
            only(ADMINS, "/admin/users/"),
            _new_user_form,
        ),
    ),
    "admin.edit_user": (
        Case(
            "GET",
            lambda ctx: f"/admin/users/{ctx.world.users['officer'].id}",
            only(ADMINS),
        ),
        Case("POST", _user_url(), only(ADMINS, "/admin/users/"), _user_edit_form),
    ),
    "admin.grant_role": (
        Case(
            "POST",
            _user_url("/roles"),
            only(ADMINS, "/admin/users/"),
            lambda ctx: {"grant-role": Role.AUXILIARY.value, "grant-scope_id": "0"},
        ),
    ),
    "admin.revoke_role": (
        Case("POST", _revoke_url, only(ADMINS, "/admin/users/"), lambda ctx: {}),
    ),
    "admin.reset_password": (
        Case(
            "POST",
            _user_url("/reset-password"),
            only(ADMINS, "/admin/users/"),
            lambda ctx: {},
        ),
    ),
    "admin.unlock_user": (
        Case(
            "POST", _user_url("/unlock"), only(ADMINS, "/admin/users/"), lambda ctx: {}
        ),
    ),
    "admin.set_user_active": (
        Case(
            "POST",
            _user_url("/active"),
            only(ADMINS, "/admin/users/"),
            lambda ctx: {"active": "0"},
        ),
    ),
    "admin.upload_user_photo": (
        # No file: the edit page is shown again with the photo error.
        Case("POST", _user_url("/photo"), only(ADMINS, 400), lambda ctx: {}),
    ),
    "admin.delete_user_photo": (
        Case(
            "POST",
            _user_url("/photo/delete"),
            only(ADMINS, "/admin/users/"),
            lambda ctx: {},
        ),
    ),
    "admin.user_photo_file": (
        # The throwaway has no photo: 404 once the admin is allowed to see it.
        Case("GET", _user_url("/photo.jpg"), only(ADMINS, 404)),
    ),
    # User import ----------------------------------------------------------------
    "admin.download_import_template": (
        Case("GET", _const("/admin/users/import/template.xlsx"), only(ADMINS)),
    ),
    "admin.import_users_view": (
        Case("GET", _const("/admin/users/import"), only(ADMINS)),
        # No file: the upload form is re-shown with its error.
        Case("POST", _const("/admin/users/import"), only(ADMINS, 400), lambda ctx: {}),
    ),
    "admin.commit_user_import": (
        # No token: back to the upload page, nothing created.
        Case(
            "POST",
            _const("/admin/users/import/commit"),
            only(ADMINS, "/admin/users/import"),
            lambda ctx: {},
        ),
    ),
    # Law library ---------------------------------------------------------------
    "laws.list_laws": (Case("GET", _const("/laws/"), signed_in(200)),),
    "laws.show_law": (
        Case("GET", lambda ctx: f"/laws/{_law(ctx).id}", signed_in(200)),
    ),
    "laws.search_articles": (
        Case("GET", _const("/laws/articles?q=测试"), signed_in(200)),
    ),
    "laws.article_json": (
        Case(
            "GET",
            lambda ctx: f"/laws/articles/{_law(ctx).articles[0].id}.json",
            signed_in(200),
        ),
    ),
    "laws.add_provision": (
        Case("GET", _const("/laws/new"), only(ADMINS)),
        Case("POST", _const("/laws/new"), only(ADMINS, "/laws/"), _provision_form),
    ),
    "laws.list_changes": (Case("GET", _const("/laws/changes"), only(ADMINS)),),
    "laws.download_provision_template": (
        Case("GET", _const("/laws/import/template.xlsx"), only(ADMINS)),
    ),
    "laws.import_provisions": (
        Case("GET", _const("/laws/import"), only(ADMINS)),
        # No file: the form is re-shown with its error.
        Case("POST", _const("/laws/import"), only(ADMINS, 400), lambda ctx: {}),
    ),
    # Question banks (training administrators) ---------------------------------
    "exam_banks.list_banks": (
        Case("GET", _const("/admin/exams/banks"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/exams/banks"),
            only(ADMINS, "/admin/exams/banks/"),
            lambda ctx: {"code": f"NEW{next(_serial)}", "name": "新题库"},
        ),
    ),
    "exam_banks.show_bank": (
        Case("GET", lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}", only(ADMINS)),
    ),
    "exam_banks.download_question_template": (
        Case("GET", _const("/admin/exams/import/template.xlsx"), only(ADMINS)),
    ),
    "exam_banks.import_questions": (
        # The matrix bank is city-wide: a 区 training admin reads it, only a
        # city-level admin changes it (tests/security/test_bank_scope.py).
        Case(
            "GET",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/import",
            only(SYS),
        ),
        # No file: the upload form is re-shown with its error.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/import",
            only(SYS, 400),
            lambda ctx: {},
        ),
    ),
    "exam_banks.commit_question_import": (
        # No token: back to the upload page, nothing saved.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/import/commit",
            only(SYS, "/admin/exams/banks/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.export_bank": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/export.xlsx",
            only(ADMINS),
        ),
    ),
    "exam_banks.list_review": (
        Case("GET", _const("/admin/exams/review"), only(ADMINS)),
    ),
    "exam_banks.mark_reviewed": (
        # The matrix bank is city-wide: a 区 training admin reads it, only a
        # city-level admin changes it (tests/security/test_bank_scope.py).
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/reviewed"
            ),
            only(SYS, "/admin/exams/review"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.list_papers": (
        Case("GET", _const("/admin/exams/papers"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/exams/papers"),
            only(ADMINS, "/admin/exams/papers/"),
            lambda ctx: {
                "name": "矩阵试卷",
                "kind": "blueprint",
                "total_score": "100",
                "pass_mark": "60",
                "pool_factor": "2",
                "multiple_policy": "all_or_nothing",
            },
        ),
    ),
    "exam_papers.show_paper": (
        Case("GET", lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}", only(ADMINS)),
        # An empty rule form is rejected (400): reaching validation is what matters.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}",
            only(ADMINS, 400),
            lambda ctx: {},
        ),
    ),
    # Changing papers (issue #12): an empty or refused form goes back to the
    # paper with a message; a rule or item that is not on the paper is a 404.
    "exam_papers.update_paper": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/settings",
            only(ADMINS, "/admin/exams/papers/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.copy_paper": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/copy",
            only(ADMINS, "/admin/exams/papers/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.edit_rule": (
        Case(
            "GET",
            lambda ctx: (
                f"/admin/exams/papers/{_paper(ctx).id}/rules/{ctx.paper.rules[0].id}"
            ),
            only(ADMINS),
        ),
        # An empty form: the rule form is shown again with its errors.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/papers/{_paper(ctx).id}/rules/{ctx.paper.rules[0].id}"
            ),
            only(ADMINS, 400),
            lambda ctx: {},
        ),
    ),
    "exam_papers.delete_rule": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/rules/999999/delete",
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_papers.add_items": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/items/add",
            only(ADMINS, "/admin/exams/papers/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.move_item": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/items/999999/move",
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_papers.remove_item": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/papers/{_paper(ctx).id}/items/999999/remove",
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    # Changing arrangements: empty forms and refusals go back with a message.
    "exam_papers.edit_arrangement": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/edit",
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.postpone_arrangement": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/postpone",
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.publish_arrangement": (
        # Already published: refused with a message.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/publish",
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.cancel_arrangement": (
        # No reason: refused with a message.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/cancel",
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.remove_candidate": (
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/candidates/999999/remove"
            ),
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_papers.list_arrangements": (
        Case("GET", _const("/admin/exams/arrangements"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/exams/arrangements"),
            only(ADMINS, 400),
            lambda ctx: {},
        ),
    ),
    "exam_papers.show_arrangement": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}",
            only(ADMINS),
        ),
    ),
    "exam_papers.pregenerate_papers": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/pregenerate",
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.edit_question": (
        # The matrix bank is city-wide: a 区 training admin reads it, only a
        # city-level admin changes it (tests/security/test_bank_scope.py).
        Case(
            "GET",
            lambda ctx: f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/edit",
            only(SYS),
        ),
        Case(
            "POST",
            lambda ctx: f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/edit",
            only(SYS, "/admin/exams/questions/"),
            lambda ctx: {"stem": "行政处罚应当公开。", "difficulty": "3", "score": "1"},
        ),
    ),
    # Writing questions by hand (issue #12): the matrix bank is city-wide, so
    # only a city-level admin (here the system admin) changes its questions.
    "exam_banks.new_question": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/questions/new?type=single",
            only(SYS),
        ),
        Case(
            "POST",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/questions/new",
            only(SYS, "/admin/exams/questions/"),
            lambda ctx: {
                "type": "true_false",
                "stem": "行政处罚决定应当公开。",
                "tf_key": "对",
                "score": "1",
                "difficulty": "2",
            },
        ),
    ),
    "exam_banks.show_question": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}",
            only(ADMINS),
        ),
    ),
    "exam_banks.copy_question": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/copy",
            only(SYS, "/admin/exams/questions/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.retire_question": (
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/retire"
            ),
            only(SYS, "/admin/exams/questions/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.enable_question": (
        # Not retired: a message, back to the question.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/enable"
            ),
            only(SYS, "/admin/exams/questions/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.correct_key": (
        Case(
            "GET",
            lambda ctx: (
                f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/correct-key"
            ),
            only(SYS),
        ),
        # No key chosen: the form again with its error.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/questions/{_bank(ctx) and ctx.question.id}/correct-key"
            ),
            only(SYS, 400),
            lambda ctx: {"action": "preview"},
        ),
    ),
    "exam_banks.change_knowledge_point": (
        Case(
            "POST",
            _const("/admin/exams/knowledge-points/create"),
            only(ADMINS, "/admin/exams/knowledge-points"),
            lambda ctx: {"name": f"矩阵知识点{next(_serial)}"},
        ),
    ),
    "exam_results.show_analysis": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/analysis",
            only(ADMINS),
        ),
    ),
    "exam_papers.upload_candidates": (
        # No file: back to the arrangement with a message, nothing enrolled.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/candidates/upload"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.add_candidate": (
        # No login: back to the arrangement with a message, nothing enrolled.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/candidates/add"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_papers.adjust_candidate": (
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/candidates/adjust"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_grading.grading_queue": (
        Case("GET", _const("/admin/exams/grading"), only(ADMINS)),
        # No answer named: back to the queue with a message.
        Case(
            "POST",
            _const("/admin/exams/grading"),
            only(ADMINS, "/admin/exams/grading"),
            lambda ctx: {},
        ),
    ),
    # Results (issue #12): settings, answer sheets, 改分, 成绩复核 ---------------
    "exam_results.update_settings": (
        # No rule chosen: refused with a message, nothing changed.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/results/settings"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_results.list_sheets": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/sheets",
            only(ADMINS),
        ),
    ),
    "exam_results.show_sheet": (
        # The attempt is still running: back to the list of sheets.
        Case(
            "GET",
            lambda ctx: f"/admin/exams/attempts/{_attempt(ctx).id}/sheet",
            only(ADMINS, "/admin/exams/arrangements/"),
        ),
    ),
    "exam_results.revise_grade": (
        # No item at that position: 404 after the role check.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/attempts/{_attempt(ctx).id}/sheet/9999/revise",
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_results.decide_appeal": (
        Case(
            "POST",
            _const("/admin/exams/appeals/999999/decide"),
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_results.remark_appeal": (
        Case(
            "POST",
            _const("/admin/exams/appeals/999999/remark/1"),
            only(ADMINS, 404),
            lambda ctx: {},
        ),
    ),
    "exam_appeals.file_appeal": (
        # The attempt is still running: refused, back to its result page.
        Case(
            "POST",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}/appeal",
            candidate_only("/exams/attempts/"),
            lambda ctx: {},
        ),
    ),
    "exam_banks.list_knowledge_points": (
        Case("GET", _const("/admin/exams/knowledge-points"), only(ADMINS)),
    ),
    # Candidates: my exams and the exam page ------------------------------------
    "exams.list_exams": (
        Case(
            "GET", _const("/exams/"), only({Role.OFFICER.value, Role.AUXILIARY.value})
        ),
    ),
    "exams.start_exam": (
        # Not open yet / not enrolled: back to the list with a message.
        Case(
            "POST",
            lambda ctx: f"/exams/{_arrangement(ctx).id}/start",
            candidate_only("/exams/", "/exams/"),
            lambda ctx: {},
        ),
    ),
    "exams.enter_exam": (
        # The queue page's and 继续答题's entry: the same rules as start_exam.
        Case(
            "POST",
            lambda ctx: f"/exams/{_arrangement(ctx).id}/enter",
            candidate_only("/exams/", "/exams/"),
            lambda ctx: {},
        ),
    ),
    "exams.exam_notice": (
        # The officer's attempt is in progress: straight back to it; the other
        # candidate is not enrolled.
        Case(
            "GET",
            lambda ctx: f"/exams/{_attempt(ctx).arrangement_id}/notice",
            candidate_only("/exams/attempts/", 404),
        ),
    ),
    "exams.start_queue": (
        # No ticket (the gate let them straight in): the page says they may enter.
        Case(
            "GET",
            lambda ctx: f"/exams/{_arrangement(ctx).id}/queue",
            candidate_only(200, 200),
        ),
    ),
    "exams.take_attempt": (
        Case(
            "GET",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}",
            candidate_only(200),
        ),
    ),
    "exams.save_answer": (
        # Not JSON: rejected as malformed after the ownership check.
        Case(
            "POST",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}/answers",
            candidate_only(400),
            lambda ctx: {},
        ),
    ),
    "exams.report_event": (
        Case(
            "POST",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}/events",
            candidate_only(400),
            lambda ctx: {},
        ),
    ),
    "exams.submit_exam": (
        Case(
            "POST",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}/submit",
            candidate_only("/exams/attempts/"),
            lambda ctx: {},
        ),
    ),
    "exams.show_result": (
        # The attempt is still running: back to the exam page.
        Case(
            "GET",
            lambda ctx: f"/exams/attempts/{_attempt(ctx).id}/result",
            candidate_only("/exams/attempts/"),
        ),
    ),
    # Audit log (system administrators only) -------------------------------------
    # Working-day calendar (shared by 监督意见书 and public submissions) ----------
    "workdays.show_calendar": (
        Case("GET", _const("/admin/workdays/"), only(CATALOGUE_MANAGERS)),
    ),
    "workdays.set_day": (
        # No date: the page again with the form's error, nothing saved.
        Case(
            "POST",
            _const("/admin/workdays/"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "workdays.remove_day": (
        Case(
            "POST",
            _const("/admin/workdays/2030-01-02/delete"),
            only(CATALOGUE_MANAGERS, "/admin/workdays/"),
            lambda ctx: {},
        ),
    ),
    "workdays.load_year": (
        # No schedule shipped for 1999: refused with a message.
        Case(
            "POST",
            _const("/admin/workdays/load/1999"),
            only(CATALOGUE_MANAGERS, "/admin/workdays/"),
            lambda ctx: {},
        ),
    ),
    "audit.list_entries": (Case("GET", _const("/admin/audit/"), only(SYS)),),
    "audit.export_entries": (
        Case("GET", _const("/admin/audit/export.xlsx"), only(SYS)),
    ),
    # Results: release by hand, 考试统计 and exports (issue #5) ------------------
    "exam_results.release_results": (
        # The matrix arrangement releases after its window: refused with a message.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/results/release"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_results.withdraw_results": (
        Case(
            "POST",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/results/withdraw"
            ),
            only(ADMINS, "/admin/exams/arrangements/"),
            lambda ctx: {},
        ),
    ),
    "exam_results.show_report": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/report",
            only(ADMINS),
        ),
    ),
    "exam_results.export_report": (
        Case(
            "GET",
            lambda ctx: f"/admin/exams/arrangements/{_arrangement(ctx).id}/report.xlsx",
            only(ADMINS),
        ),
    ),
    "exam_results.export_results": (
        Case(
            "GET",
            lambda ctx: (
                f"/admin/exams/arrangements/{_arrangement(ctx).id}/results.xlsx"
            ),
            only(ADMINS),
        ),
    ),
    # Certificates (issue #5) ------------------------------------------------------
    "certs.my_certificates": (
        Case(
            "GET",
            _const("/certificates/"),
            only({Role.OFFICER.value, Role.AUXILIARY.value}),
        ),
    ),
    "certs.download_certificate": (
        # The officer's own; admins in scope; the other candidate role gets 404.
        Case(
            "GET",
            lambda ctx: f"/certificates/{_certificate(ctx).id}.pdf",
            {
                **only(ADMINS | {Role.OFFICER.value, Role.AUXILIARY.value}),
                Role.AUXILIARY.value: 404,
            },
        ),
    ),
    "certs.list_certificates": (
        Case("GET", _const("/admin/certificates/"), only(ADMINS)),
    ),
    "certs.export_certificates": (
        Case("GET", _const("/admin/certificates/export.xlsx"), only(ADMINS)),
    ),
    "certs.show_certificate": (
        Case(
            "GET",
            lambda ctx: f"/admin/certificates/{_certificate(ctx).id}",
            only(ADMINS),
        ),
    ),
    "certs.certificate_photo": (
        # The holder has no photo: 404 for admins in scope; never public.
        Case(
            "GET",
            lambda ctx: f"/admin/certificates/{_certificate(ctx).id}/photo.jpg",
            only(ADMINS, 404),
        ),
    ),
    "certs.change_certificate_status": (
        # No reason: the page is shown again with its error, nothing changes.
        Case(
            "POST",
            lambda ctx: f"/admin/certificates/{_certificate(ctx).id}/status",
            only(ADMINS, 400),
            lambda ctx: {"action": "revoke"},
        ),
    ),
    # Public: anyone holding the QR code's URL may verify the certificate.
    "certs.lookup_certificate": (
        # The empty lookup form, public like /verify/<code>.
        Case("GET", _const("/verify"), everyone(200)),
    ),
    "certs.verify_certificate": (
        Case(
            "GET",
            lambda ctx: f"/verify/{_certificate(ctx).verify_code}",
            everyone(200),
        ),
    ),
    # Practice and 错题本 (issue #5, practice) -------------------------------------
    "practice_admin.toggle_bank_practice": (
        # The matrix bank is city-wide: only a city-level admin may open it.
        Case(
            "POST",
            lambda ctx: f"/admin/exams/banks/{_bank(ctx).id}/practice",
            only(SYS, "/admin/exams/banks/"),
            lambda ctx: {"open": "1"},
        ),
    ),
    "practice.home": (
        Case(
            "GET",
            _const("/practice/"),
            only({Role.OFFICER.value, Role.AUXILIARY.value}),
        ),
    ),
    "practice.start_session": (
        Case(
            "POST",
            _const("/practice/sessions"),
            only({Role.OFFICER.value, Role.AUXILIARY.value}, "/practice/sessions/"),
            _random_set_form,
        ),
    ),
    "practice.take_session": (
        Case(
            "GET",
            lambda ctx: f"/practice/sessions/{_practice_session(ctx).id}",
            candidate_only(200),
        ),
    ),
    "practice.answer_question": (
        # No position: back to the set with a message.
        Case(
            "POST",
            lambda ctx: f"/practice/sessions/{_practice_session(ctx).id}/answer",
            candidate_only("/practice/sessions/"),
            lambda ctx: {},
        ),
    ),
    "practice.finish_session": (
        Case(
            "POST",
            lambda ctx: f"/practice/sessions/{_practice_session(ctx).id}/finish",
            candidate_only("/practice/sessions/"),
            lambda ctx: {},
        ),
    ),
    "practice.show_summary": (
        Case(
            "GET",
            lambda ctx: f"/practice/sessions/{_practice_session(ctx).id}/summary",
            candidate_only(200),
        ),
    ),
    "practice.list_mistakes": (
        Case(
            "GET",
            _const("/practice/mistakes"),
            only({Role.OFFICER.value, Role.AUXILIARY.value}),
        ),
    ),
    "practice.remove_mistake": (
        Case(
            "POST",
            lambda ctx: f"/practice/mistakes/{_mistake(ctx).id}/remove",
            candidate_only("/practice/mistakes"),
            lambda ctx: {},
        ),
    ),
    "practice.show_mastery": (
        Case(
            "GET",
            _const("/practice/mastery"),
            only({Role.OFFICER.value, Role.AUXILIARY.value}),
        ),
    ),
    # Attempt monitoring and device release (issue #5, exam-taking) --------------
    "exam_monitor.list_attempts": (
        Case(
            "GET",
            lambda ctx: (
                f"/admin/exams/arrangements/{_attempt(ctx).arrangement_id}/attempts"
            ),
            only(ADMINS),
        ),
    ),
    "exam_monitor.show_attempt": (
        Case(
            "GET", lambda ctx: f"/admin/exams/attempts/{_attempt(ctx).id}", only(ADMINS)
        ),
    ),
    "exam_monitor.release_attempt_device": (
        Case(
            "POST",
            lambda ctx: f"/admin/exams/attempts/{_attempt(ctx).id}/release-device",
            only(ADMINS, "/admin/exams/attempts/"),
            lambda ctx: {},
        ),
    ),
    # Training (培训): learner pages and administration ---------------------------
    "training.my_training": (Case("GET", _const("/training/"), only(LEARNERS)),),
    "training.show_course": (
        Case(
            "GET",
            lambda ctx: f"/training/courses/{_training_course(ctx).id}",
            only(LEARNERS),
        ),
    ),
    "training.start_quiz": (
        # The matrix course has no quiz: back to the course with a message.
        Case(
            "POST",
            lambda ctx: f"/training/courses/{_training_course(ctx).id}/quiz",
            only(LEARNERS, "/training/courses/"),
            lambda ctx: {},
        ),
    ),
    "training.show_material": (
        Case(
            "GET",
            lambda ctx: f"/training/materials/{_training_course(ctx).materials[0].id}",
            only(LEARNERS),
        ),
    ),
    "training.heartbeat": (
        # Not JSON: rejected as malformed after the audience check.
        Case(
            "POST",
            lambda ctx: (
                f"/training/materials/{_training_course(ctx).materials[0].id}/heartbeat"
            ),
            only(LEARNERS, 400),
            lambda ctx: {},
        ),
    ),
    "training.material_file": (
        Case(
            "GET",
            lambda ctx: (
                f"/training/materials/{_training_course(ctx).materials[1].id}/file"
            ),
            only(LEARNERS | ADMINS),
        ),
    ),
    "training_admin.list_courses": (
        Case("GET", _const("/admin/training/"), only(ADMINS)),
    ),
    "training_admin.new_course": (
        Case("GET", _const("/admin/training/courses/new"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/training/courses/new"),
            only(ADMINS, "/admin/training/courses/"),
            _course_form,
        ),
    ),
    "training_admin.show_course": (
        Case(
            "GET",
            lambda ctx: f"/admin/training/courses/{_training_course(ctx).id}",
            only(ADMINS),
        ),
    ),
    "training_admin.edit_course": (
        Case(
            "GET",
            lambda ctx: f"/admin/training/courses/{_training_course(ctx).id}/edit",
            only(ADMINS),
        ),
        Case(
            "POST",
            lambda ctx: f"/admin/training/courses/{_training_course(ctx).id}/edit",
            only(ADMINS, "/admin/training/courses/"),
            _course_form,
        ),
    ),
    "training_admin.add_text_material": (
        Case(
            "POST",
            lambda ctx: (
                f"/admin/training/courses/{_draft_course(ctx).id}/materials/text"
            ),
            only(ADMINS, "/admin/training/courses/"),
            lambda ctx: {"title": "矩阵材料", "body": "正文", "required_minutes": "1"},
        ),
    ),
    "training_admin.upload_material": (
        # No file: the form is shown again with its error.
        Case(
            "POST",
            lambda ctx: (
                f"/admin/training/courses/{_draft_course(ctx).id}/materials/upload"
            ),
            only(ADMINS, 400),
            lambda ctx: {"kind": "pdf", "title": "矩阵文件", "required_minutes": "1"},
        ),
    ),
    "training_admin.remove_material": (
        Case(
            "POST",
            lambda ctx: f"/admin/training/materials/{_draft_material(ctx).id}/remove",
            only(ADMINS, "/admin/training/courses/"),
            lambda ctx: {},
        ),
    ),
    "training_admin.move_material": (
        Case(
            "POST",
            lambda ctx: f"/admin/training/materials/{_draft_material(ctx).id}/move",
            only(ADMINS, "/admin/training/courses/"),
            lambda ctx: {"direction": "down"},
        ),
    ),
    "training_admin.publish_course": (
        Case(
            "POST",
            lambda ctx: f"/admin/training/courses/{_draft_course(ctx).id}/publish",
            only(ADMINS, "/admin/training/courses/"),
            lambda ctx: {},
        ),
    ),
    "training_admin.unpublish_course": (
        Case(
            "POST",
            lambda ctx: f"/admin/training/courses/{_draft_course(ctx).id}/unpublish",
            only(ADMINS, "/admin/training/courses/"),
            lambda ctx: {},
        ),
    ),
    "training_admin.list_requirements": (
        Case("GET", _const("/admin/training/requirements"), only(ADMINS)),
        Case(
            "POST",
            _const("/admin/training/requirements"),
            only(ADMINS, "/admin/training/requirements"),
            lambda ctx: {
                "organisation_id": str(ctx.world.district.id),
                "role": "auxiliary",
                "year": "2026",
                "hours": "30",
            },
        ),
    ),
    "training_admin.show_report": (
        Case("GET", _const("/admin/training/report?year=2026"), only(ADMINS)),
    ),
    "training_admin.export_report": (
        Case("GET", _const("/admin/training/report.xlsx?year=2026"), only(ADMINS)),
    ),
    # Benchmark catalogues (issue #6): every staff role reads; supervision staff
    # (in their scope) and system administrators import, publish and withdraw.
    "casebank.list_catalogues": (
        Case(
            "GET", _const("/casebank/catalogues?q=矩阵&on=2024-06-01"), signed_in(200)
        ),
    ),
    "casebank.show_catalogue": (
        Case(
            "GET",
            lambda ctx: f"/casebank/catalogues/{_catalogue_version(ctx).catalogue_id}",
            signed_in(200),
        ),
    ),
    "casebank.show_version": (
        Case(
            "GET",
            lambda ctx: f"/casebank/versions/{_catalogue_version(ctx).id}",
            signed_in(200),
        ),
    ),
    "casebank.export_version": (
        Case(
            "GET",
            lambda ctx: f"/casebank/versions/{_catalogue_version(ctx).id}/export.json",
            signed_in(200),
        ),
    ),
    "casebank.publish_version": (
        Case(
            "POST",
            _draft_url("/publish"),
            only(CATALOGUE_MANAGERS, "/casebank/versions/"),
            lambda ctx: {},
        ),
    ),
    "casebank.withdraw_version": (
        Case(
            "POST",
            _draft_url("/withdraw"),
            only(CATALOGUE_MANAGERS, "/casebank/versions/"),
            lambda ctx: {},
        ),
    ),
    "casebank.download_catalogue_template": (
        Case("GET", _const("/casebank/import/template.xlsx"), only(CATALOGUE_MANAGERS)),
    ),
    "casebank.import_catalogue": (
        Case("GET", _const("/casebank/import"), only(CATALOGUE_MANAGERS)),
        # No file: the upload form is re-shown with its error.
        Case(
            "POST",
            _const("/casebank/import"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "casebank.commit_catalogue_import": (
        # No token: back to the upload page, nothing saved.
        Case(
            "POST",
            _const("/casebank/import/commit"),
            only(CATALOGUE_MANAGERS, "/casebank/import"),
            lambda ctx: {},
        ),
    ),
    # Public suggestions and complaints (issue #7, public side): no login, every
    # principal gets the same pages; an empty post is refused by validation (400).
    "suggestions.submit": (
        Case("GET", _const("/suggestions/"), everyone(200)),
        Case("POST", _const("/suggestions/"), everyone(400), lambda ctx: {}),
    ),
    "suggestions.receipt": (
        Case("GET", _const("/suggestions/receipt"), everyone(200)),
    ),
    "suggestions.captcha_image": (
        Case("GET", _const("/suggestions/captcha.png"), everyone(200)),
    ),
    "suggestions.track": (
        Case("GET", _const("/suggestions/track"), everyone(200)),
        Case("POST", _const("/suggestions/track"), everyone(400), lambda ctx: {}),
    ),
    # Case files (issue #6 part 2): agency handlers, supervision staff (scoped)
    # and system administrators; a batch page only for its author or a sys admin.
    "casebank.list_cases": (
        Case("GET", _const("/casebank/cases?findings=yes"), only(CASE_ROLES)),
    ),
    "casebank.add_cases": (
        Case("GET", _const("/casebank/cases/new"), only(CASE_ROLES)),
        # Neither a file nor text: the form again with its error.
        Case(
            "POST", _const("/casebank/cases/new"), only(CASE_ROLES, 400), lambda c: {}
        ),
    ),
    "casebank.show_batch": (
        Case(
            "GET",
            _batch_url,
            {
                **only(CASE_ROLES, 404),
                Role.SYS_ADMIN.value: 200,
            },
        ),
    ),
    # Invited supervisors open only cases assigned to them (else 404).
    "casebank.show_case": (
        Case(
            "GET",
            _case_url(),
            {**only(CASE_ROLES), Role.INVITED_SUPERVISOR.value: 404},
        ),
    ),
    "casebank.check_status": (
        Case(
            "GET",
            _case_url("/check-status"),
            {**only(CASE_ROLES), Role.INVITED_SUPERVISOR.value: 404},
        ),
    ),
    "casebank.edit_case": (
        # No agency: the form again with its error, nothing saved.
        Case("POST", _case_url(), only(CASE_ROLES, 400), lambda ctx: {}),
    ),
    "casebank.recheck_case": (
        Case(
            "POST",
            _case_url("/recheck"),
            only(CASE_ROLES, "/casebank/cases/"),
            lambda ctx: {},
        ),
    ),
    "casebank.download_case_original": (
        Case("GET", _case_url("/original"), only(CASE_ROLES)),
    ),
    # Case supervision (issue #6, review queue): sys admins and supervision staff
    # run the queue; invited supervisors and supervision staff review.
    "supervision.show_queue": (
        Case(
            "GET",
            _const("/casebank/supervision/queue?severity=high&assigned=no"),
            only(CATALOGUE_MANAGERS),
        ),
    ),
    # Consistency report (#13): the supervision roles that run the queue. Without
    # an organisation and period there is nothing to download (404).
    "consistency.show_report": (
        Case("GET", _const("/casebank/consistency/report"), only(CATALOGUE_MANAGERS)),
    ),
    "consistency.download_report_xlsx": (
        Case(
            "GET",
            _const("/casebank/consistency/report.xlsx?period=2026-Q1"),
            only(CATALOGUE_MANAGERS, 404),
        ),
    ),
    "consistency.download_report_pdf": (
        Case(
            "GET",
            _const("/casebank/consistency/report.pdf?period=2026-Q1"),
            only(CATALOGUE_MANAGERS, 404),
        ),
    ),
    "supervision.list_samples": (
        Case("GET", _const("/casebank/supervision/samples"), only(CATALOGUE_MANAGERS)),
    ),
    "supervision.draw_sample": (
        # Nothing filled in: the form again with its errors, nothing drawn.
        Case(
            "POST",
            _const("/casebank/supervision/samples"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "supervision.show_sample": (Case("GET", sv.draw_url, only(CATALOGUE_MANAGERS)),),
    "supervision.assign_case": (Case("GET", sv.assign_url, only(CATALOGUE_MANAGERS)),),
    "supervision.bulk_assign": (
        Case(
            "POST",
            _const("/casebank/supervision/queue/assign"),
            only(CATALOGUE_MANAGERS, "/casebank/supervision/queue"),
            lambda ctx: {},
        ),
    ),
    "supervision.save_assignment": (
        # No reviewer chosen: the form again with its error, nothing assigned.
        Case("POST", sv.assign_url, only(CATALOGUE_MANAGERS, 400), lambda ctx: {}),
    ),
    "supervision.cancel_assignment": (
        Case(
            "POST",
            sv.cancel_url,
            only(CATALOGUE_MANAGERS, "/casebank/supervision/cases/"),
            lambda ctx: {},
        ),
    ),
    "supervision.my_assignments": (
        Case("GET", _const("/casebank/supervision/my"), only(REVIEWERS)),
    ),
    "supervision.complete_assignment": (
        Case("POST", sv.complete_url, only(REVIEWERS, 404), lambda ctx: {}),
    ),
    "supervision.list_interests": (
        Case("GET", _const("/casebank/supervision/interests"), only(REVIEWERS)),
    ),
    "supervision.declare_interest": (
        Case(
            "POST",
            _const("/casebank/supervision/interests"),
            only(REVIEWERS, 400),
            lambda ctx: {},
        ),
    ),
    "supervision.withdraw_interest": (
        Case("POST", sv.withdraw_url, only(REVIEWERS, 404), lambda ctx: {}),
    ),
    # Case review (issue #6 part 3): supervision staff (scoped) and system
    # administrators; invited supervisors only on cases assigned to them (404 on
    # the matrix case); agency handlers and everyone else get 403.
    "reviews.edit_review": (
        Case("GET", _case_url("/review"), {**only(SHEET_REVIEWERS), INVITED: 404}),
    ),
    "reviews.save_review": (
        # No CSRF/lock fields: refused before anything is read.
        Case(
            "POST",
            _case_url("/review"),
            {**only(SHEET_REVIEWERS, 400), INVITED: 404},
            lambda ctx: {},
        ),
    ),
    "reviews.label_finding": (
        # A finding id that is not (or no longer) the case's: back to the case.
        Case(
            "POST",
            _case_url("/findings/999999/label"),
            {**only(SHEET_REVIEWERS, "/casebank/cases/"), INVITED: 404},
            lambda ctx: {"decision": "confirmed"},
        ),
    ),
    "reviews.list_templates": (
        Case("GET", _const("/casebank/review-templates"), only(SHEET_REVIEWERS)),
    ),
    "reviews.show_template": (
        Case("GET", _review_template_url, only(SHEET_REVIEWERS)),
    ),
    "reviews.publish_template": (
        Case("GET", _const("/casebank/review-templates/new"), only(SHEET_REVIEWERS)),
        # Empty text: the form again with its error, nothing published.
        Case(
            "POST",
            _const("/casebank/review-templates/new"),
            only(SHEET_REVIEWERS, 400),
            lambda ctx: {"text": ""},
        ),
    ),
    "reviews.show_dashboard": (
        Case(
            "GET", _const("/casebank/dashboard?domain=chengguan"), only(SHEET_REVIEWERS)
        ),
    ),
    "reviews.export_labels": (
        Case("GET", _const("/casebank/labels.jsonl"), only(SHEET_REVIEWERS)),
    ),
    # 监督意见书 (issue #6): staff (scoped) and sys admins issue and decide, the
    # agency's handlers reply; everyone in scope reads, downloads and exports.
    "opinions.list_opinions": (
        Case(
            "GET", _const("/casebank/opinions?flag=overdue"), only(CATALOGUE_MANAGERS)
        ),
    ),
    "opinions.todo": (
        Case(
            "GET", _const("/casebank/opinions/todo"), only({Role.AGENCY_HANDLER.value})
        ),
    ),
    "opinions.issue_opinion": (
        Case(
            "GET",
            _case_url("/opinions/new?review_id=3"),
            only(CATALOGUE_MANAGERS),
        ),
        # An empty form: the form again with its errors, nothing issued.
        Case(
            "POST",
            _case_url("/opinions/new"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "opinions.show_opinion": (Case("GET", _opinion_url(), only(CASE_ROLES)),),
    "opinions.reply": (
        Case(
            "POST",
            _opinion_url("/reply"),
            only({Role.AGENCY_HANDLER.value}, 400),
            lambda ctx: {},
        ),
    ),
    "opinions.accept": (
        Case(
            "POST",
            _opinion_url("/accept"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "opinions.return_reply": (
        Case(
            "POST",
            _opinion_url("/return"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "opinions.change_deadline": (
        Case(
            "POST",
            _opinion_url("/deadline"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "opinions.download_attachment": (
        Case("GET", _opinion_attachment_url, only(CASE_ROLES)),
    ),
    "opinions.export_opinion_docx": (
        Case("GET", _opinion_url("/export.docx"), only(CASE_ROLES)),
    ),
    "opinions.export_opinion_pdf": (
        Case("GET", _opinion_url("/export.pdf"), only(CASE_ROLES)),
    ),
    # Suggestions oversight (issue #7 part 3): the public aggregate page and CSV
    # for everyone; statistics and 监督员转办 for supervision staff and system
    # administrators; an item's oversight notes also for the handling agency;
    # the supervisor workspace for invited supervisors only.
    "oversight.show_open": (Case("GET", _const("/suggestions/open"), everyone(200)),),
    "oversight.download_open_data": (
        Case("GET", _const("/suggestions/open/data.csv"), everyone(200)),
    ),
    "oversight.show_stats": (
        Case("GET", _const("/suggestions/manage/stats"), only(CATALOGUE_MANAGERS)),
    ),
    "oversight.export_stats": (
        Case("GET", _const("/suggestions/manage/stats.xlsx"), only(CATALOGUE_MANAGERS)),
    ),
    "oversight.list_escalations": (
        Case(
            "GET", _const("/suggestions/manage/escalations"), only(CATALOGUE_MANAGERS)
        ),
    ),
    "oversight.handle_escalation": (
        # No note: back to the list with the message, nothing changed.
        Case(
            "POST",
            _oversight_url("/suggestions/manage/escalations/{escalation}/handle"),
            only(CATALOGUE_MANAGERS, "/suggestions/manage/escalations"),
            lambda ctx: {},
        ),
    ),
    "oversight.show_item_oversight": (
        Case(
            "GET",
            _oversight_url("/suggestions/manage/{item}/oversight"),
            only(CATALOGUE_MANAGERS | {Role.AGENCY_HANDLER.value}),
        ),
    ),
    "oversight.list_supervised": (
        Case(
            "GET",
            _const("/suggestions/supervise/"),
            only({Role.INVITED_SUPERVISOR.value}),
        ),
    ),
    "oversight.show_supervised": (
        Case(
            "GET",
            _oversight_url("/suggestions/supervise/{item}"),
            only({Role.INVITED_SUPERVISOR.value}),
        ),
    ),
    "oversight.add_observation": (
        # Empty: the page again with the error (400), nothing stored.
        Case(
            "POST",
            _oversight_url("/suggestions/supervise/{item}/observations"),
            only({Role.INVITED_SUPERVISOR.value}, 400),
            lambda ctx: {},
        ),
    ),
    "oversight.escalate": (
        Case(
            "POST",
            _oversight_url("/suggestions/supervise/{item}/escalations"),
            only({Role.INVITED_SUPERVISOR.value}, 400),
            lambda ctx: {},
        ),
    ),
    # Suggestion handling (issue #7 part 2): staff pages for supervision staff and
    # system administrators, 待办理 for agency handlers, attachments for both; an
    # empty post fails validation (400) before anything changes. The item is in
    # 办理中 at world.agency (every principal's scope). Public rating and contest
    # without a lookup in the session: back to the lookup page.
    "suggestion_handling.list_inbox": (
        Case("GET", _const("/suggestions/manage/"), only(CATALOGUE_MANAGERS)),
    ),
    "suggestion_handling.show_suggestion": (
        Case("GET", lambda ctx: _handling_url(ctx), only(CATALOGUE_MANAGERS)),
    ),
    **{
        f"suggestion_handling.{endpoint}": (
            Case(
                "POST",
                lambda ctx, action=action: _handling_url(ctx, f"/{action}"),
                only(CATALOGUE_MANAGERS, 400),
                lambda ctx: {},
            ),
        )
        for endpoint, action in (
            ("accept_suggestion", "accept"),
            ("reject_suggestion", "reject"),
            ("merge_suggestion", "merge"),
            ("assign_suggestion", "assign"),
            ("extend_deadline", "extend"),
            ("refuse_extension", "extension/refuse"),
            ("approve_reply", "approve"),
            ("return_reply", "return"),
        )
    },
    "suggestion_handling.publish_reply": (
        # Nothing approved yet: back to the item with a message.
        Case(
            "GET",
            lambda ctx: _handling_url(ctx, "/publish"),
            only(CATALOGUE_MANAGERS, "/suggestions/manage/"),
        ),
        Case(
            "POST",
            lambda ctx: _handling_url(ctx, "/publish"),
            only(CATALOGUE_MANAGERS, 400),
            lambda ctx: {},
        ),
    ),
    "suggestion_handling.download_attachment": (
        Case(
            "GET",
            lambda ctx: _handling_url(ctx, f"/files/{_handling_item(ctx)[1]}"),
            only(CASE_ROLES),
        ),
    ),
    "suggestion_handling.list_tasks": (
        Case(
            "GET",
            _const("/suggestions/manage/tasks"),
            only({Role.AGENCY_HANDLER.value}),
        ),
    ),
    "suggestion_handling.show_task": (
        Case("GET", lambda ctx: _task_url(ctx), only({Role.AGENCY_HANDLER.value})),
    ),
    "suggestion_handling.submit_reply": (
        Case(
            "POST",
            lambda ctx: _task_url(ctx, "/reply"),
            only({Role.AGENCY_HANDLER.value}, 400),
            lambda ctx: {},
        ),
    ),
    "suggestion_handling.request_extension": (
        Case(
            "POST",
            lambda ctx: _task_url(ctx, "/extension"),
            only({Role.AGENCY_HANDLER.value}, 400),
            lambda ctx: {},
        ),
    ),
    "suggestion_handling.return_to_staff": (
        Case(
            "POST",
            lambda ctx: _task_url(ctx, "/return"),
            only({Role.AGENCY_HANDLER.value}, 400),
            lambda ctx: {},
        ),
    ),
    # A published reply photo is only served to the browser that looked up its
    # item: without a lookup, 404 for everyone.
    "suggestions.show_reply_photo": (
        Case("GET", _const("/suggestions/track/photos/1"), everyone(404)),
    ),
    "suggestions.show_tracked": (
        Case(
            "GET", _const("/suggestions/track/current"), everyone("/suggestions/track")
        ),
    ),
    "suggestions.rate_suggestion": (
        Case(
            "POST",
            _const("/suggestions/track/rate"),
            everyone("/suggestions/track"),
            lambda ctx: {"rating": "5"},
        ),
    ),
    "suggestions.contest_suggestion": (
        Case(
            "POST",
            _const("/suggestions/track/contest"),
            everyone("/suggestions/track"),
            lambda ctx: {"reason": "异议"},
        ),
    ),
}

CASES = [
    pytest.param(endpoint, case, id=f"{endpoint}-{case.method}")
    for endpoint, cases in EXPECTED.items()
    for case in cases
]


# Helpers ------------------------------------------------------------------------


#: (application, principal) -> (session cookie, when it was issued). Each
#: principal signs in through the form once per application (and again after
#: ``COOKIE_REUSE_SECONDS``, far inside the idle timeout); later tests start
#: from a copy of that session cookie. It stays valid: the world is committed
#: once per application and every test's changes (a bumped ``session_version``
#: included) are rolled back, so every case still meets the same signed-in user,
#: with half the requests.
_SIGNED_IN = {}
COOKIE_REUSE_SECONDS = 300


def client_for(app, principal):
    """A fresh test client, signed in as the ``world`` user of ``principal``."""
    client = app.test_client()
    if principal == ANON:
        return client
    key = (id(app), principal)
    cached = _SIGNED_IN.get(key)
    if cached is not None and time.monotonic() - cached[1] < COOKIE_REUSE_SECONDS:
        client.set_cookie("session", cached[0])
        return client
    response = client.post("/login", data={"login": principal, "password": PASSWORD})
    assert response.status_code == 302, f"{principal} could not sign in"
    assert urlsplit(response.headers["Location"]).path == "/dashboard"
    _SIGNED_IN[key] = (client.get_cookie("session").value, time.monotonic())
    return client


def describe(response):
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} → {urlsplit(response.headers['Location']).path}"
    return str(response.status_code)


def matches(response, outcome):
    if isinstance(outcome, int):
        return response.status_code == outcome
    if response.status_code != 302:
        return False
    path = urlsplit(response.headers["Location"]).path
    return path == outcome or (outcome.endswith("/") and path.startswith(outcome))


# Tests --------------------------------------------------------------------------


def test_every_route_is_in_the_matrix():
    """Does every route and method of the app have an entry in EXPECTED (and no
    entry name a route that no longer exists)?"""
    app = create_app(TestConfig)
    routed = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        routed.setdefault(rule.endpoint, set()).update(
            rule.methods - {"HEAD", "OPTIONS"}
        )
    missing = []
    for endpoint, methods in sorted(routed.items()):
        covered = {case.method for case in EXPECTED.get(endpoint, ())}
        missing += [f"{endpoint} {m}" for m in sorted(methods - covered)]
    assert missing == [], "routes without an authorization-matrix entry"
    stale = sorted(set(EXPECTED) - set(routed))
    assert stale == [], "matrix entries for endpoints that no longer exist"
    for endpoint, cases in EXPECTED.items():
        for case in cases:
            assert set(case.expected) == set(PRINCIPALS), endpoint
            assert case.method in routed[endpoint], endpoint


def test_post_routes_send_anonymous_visitors_to_login():
    """Every state-changing (POST) route outside the public pages sends anonymous
    visitors to the login page, and every one not meant for all signed-in users
    refuses the other roles (403/404): checked against the matrix entries that
    test_authorization runs with real requests."""
    public = {
        endpoint
        for endpoint, cases in EXPECTED.items()
        for case in cases
        if case.method == "POST" and case.expected[ANON] != LOGIN
    }
    assert public <= {
        "auth.login",
        "suggestions.submit",
        "suggestions.track",
        "suggestions.rate_suggestion",
        "suggestions.contest_suggestion",
    }, public
    post_cases = [
        case for cases in EXPECTED.values() for case in cases if case.method == "POST"
    ]
    assert len(post_cases) > 80
    for case in post_cases:
        refused = [r for r in ROLES if case.expected[r] in (403, 404)]
        allowed = [r for r in ROLES if case.expected[r] not in (403, 404)]
        # Either some roles are refused, or the route is for every signed-in user.
        assert refused or len(allowed) == len(ROLES), case


@pytest.mark.parametrize(("endpoint", "case"), CASES)
def test_authorization(app, world, factories, endpoint, case):
    """Does each principal get exactly the expected outcome on this route?"""
    ctx = Ctx(world, factories)
    mismatches = []
    for principal in PRINCIPALS:
        client = client_for(app, principal)
        url = case.url(ctx)
        if case.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data=case.data(ctx) if case.data else {})
        response.close()  # file responses (training materials) hold the file open
        expected = case.expected[principal]
        if not matches(response, expected):
            mismatches.append(
                f"{principal}: {case.method} {url} gave {describe(response)},"
                f" expected {expected}"
            )
    assert mismatches == []


def test_anonymous_redirect_carries_next(client):
    """Is an anonymous visitor sent to the login page with the page to return to?"""
    response = client.get("/admin/users")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == LOGIN
    assert "next=%2Fadmin%2Fusers" in location.query


# Scope enforcement in queries -----------------------------------------------------


def _user_href(user):
    return f'href="/admin/users/{user.id}"'


@pytest.fixture
def scoped(world, factories):
    """One account inside the training admin's district and one outside it."""
    insider = factories.user(
        username="insider-x", name="区内用户", organisation=world.town
    )
    outsider = factories.user(
        username="outsider-x", name="县外用户", organisation=world.other_agency
    )
    return insider, outsider


def test_training_admin_sees_only_users_in_scope(app, world, scoped):
    """Does a district training admin's user list omit accounts of another county,
    however the list is filtered?"""
    insider, outsider = scoped
    client = client_for(app, Role.TRAINING_ADMIN.value)

    page = client.get("/admin/users").get_data(as_text=True)
    assert _user_href(insider) in page
    assert _user_href(world.users["officer"]) in page
    assert _user_href(outsider) not in page
    assert _user_href(world.users["sys_admin"]) not in page  # city level
    assert world.other_agency.name not in page  # not even offered as a filter

    for query in (
        "q=outsider-x",
        f"organisation_id={world.other_agency.id}",
        f"organisation_id={world.city.id}",
    ):
        response = client.get(f"/admin/users?{query}")
        assert response.status_code == 200
        assert _user_href(outsider) not in response.get_data(as_text=True), query


def test_training_admin_cannot_open_or_change_users_out_of_scope(app, world, scoped):
    """Does a district training admin get 403 on every per-user route of an account
    in another county, leaving the account unchanged?"""
    insider, outsider = scoped
    client = client_for(app, Role.TRAINING_ADMIN.value)
    assert client.get(f"/admin/users/{insider.id}").status_code == 200
    assert client.get(f"/admin/users/{outsider.id}").status_code == 403

    password_hash = outsider.password_hash
    for suffix, data in (
        ("", {"name": "越权改名", "organisation_id": str(world.agency.id)}),
        ("/reset-password", {}),
        ("/unlock", {}),
        ("/active", {"active": "0"}),
        ("/roles", {"grant-role": "officer", "grant-scope_id": "0"}),
    ):
        response = client.post(f"/admin/users/{outsider.id}{suffix}", data=data)
        assert response.status_code == 403, suffix

    from portal.extensions import db

    db.session.expire_all()
    assert outsider.name == "县外用户"
    assert outsider.password_hash == password_hash
    assert outsider.is_active_account
    assert outsider.roles == []


def test_training_admin_sees_only_orgs_in_scope(app, world):
    """Does a district training admin see and edit only organisations of the district?"""
    client = client_for(app, Role.TRAINING_ADMIN.value)
    page = client.get("/admin/orgs/").get_data(as_text=True)
    assert world.agency.name in page
    assert world.other_agency.name not in page
    assert client.get(f"/admin/orgs/{world.agency.id}/edit").status_code == 200
    assert client.get(f"/admin/orgs/{world.other_agency.id}/edit").status_code == 403
    assert client.get(f"/admin/orgs/{world.city.id}/edit").status_code == 403


def test_sys_admin_sees_everyone(app, world, scoped):
    """Does a system administrator see and open accounts everywhere?"""
    insider, outsider = scoped
    client = client_for(app, Role.SYS_ADMIN.value)
    page = client.get("/admin/users").get_data(as_text=True)
    for user in (insider, outsider, world.users["sys_admin"]):
        assert _user_href(user) in page
    assert client.get(f"/admin/users/{outsider.id}").status_code == 200
    assert client.get(f"/admin/orgs/{world.other_agency.id}/edit").status_code == 200


def test_training_admin_cannot_take_over_more_privileged_accounts(
    app, world, factories
):
    """Is a training admin refused (403) on accounts inside their district that hold
    roles only a system admin grants, so a password reset cannot take them over?"""
    district_sys_admin = factories.user(
        username="district-sys-admin", role=Role.SYS_ADMIN, organisation=world.agency
    )
    client = client_for(app, Role.TRAINING_ADMIN.value)
    privileged = [
        district_sys_admin,
        world.users["training_admin"],  # themselves included
        world.users["supervision_staff"],
        world.users["invited_supervisor"],
        world.users["agency_handler"],
    ]
    for user in privileged:
        assert user.organisation.is_within(world.district)
        password_hash = user.password_hash
        assert client.get(f"/admin/users/{user.id}").status_code == 403, user
        response = client.post(f"/admin/users/{user.id}/reset-password")
        assert response.status_code == 403, user
        response = client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
        assert response.status_code == 403, user
        assert user.password_hash == password_hash
        assert user.is_active_account
    for user in (world.users["officer"], world.users["auxiliary"]):
        assert client.get(f"/admin/users/{user.id}").status_code == 200, user


# Suggestion handling (issue #7 part 2) ----------------------------------------------


def _handling_item(ctx):
    """An item in 办理中 at world.agency with one photo: ``(id, attachment id)``."""
    from portal.actor import Actor
    from portal.extensions import db
    from portal.suggestions.handling import services
    from portal.workdays.queries import calendar
    from tests.suggestions.handling_support import make_suggestion

    if not hasattr(ctx, "suggestion_item"):
        item, _ = make_suggestion(ctx.world.agency, with_photo=True)
        staff = Actor(user=ctx.world.users[Role.SUPERVISION_STAFF.value])
        services.accept_suggestion(item, item.version, staff)
        services.assign_suggestion(
            item, item.version, ctx.world.agency, None, staff, calendar()
        )
        db.session.commit()
        ctx.suggestion_item = (item.id, item.attachments[0].id)
    return ctx.suggestion_item


def _handling_url(ctx, suffix=""):
    return f"/suggestions/manage/{_handling_item(ctx)[0]}{suffix}"


def _task_url(ctx, suffix=""):
    return f"/suggestions/manage/tasks/{_handling_item(ctx)[0]}{suffix}"
