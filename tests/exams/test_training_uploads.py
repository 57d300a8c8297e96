"""Training (培训): uploads (type by content, size limits, CSRF) and scope."""

import gc
import hashlib
import io
import os
from datetime import datetime

import pytest
import sqlalchemy as sa

from exams.training import services
from exams.training.models import (
    TrainingCourse,
    TrainingMaterial,
)
from portal.actor import Actor
from portal.audit.models import AuditLog
from portal.extensions import db
from tests.exams.training_support import (
    HTML,
    MP4,
    PDF,
    PNG,
    WEBM,
    login,
    make_course,
    padded_pdf,
    text_material,
    training_files,
    upload,
)
from tests.factories import PASSWORD

# Uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "content", "name", "mime"),
    [
        ("pdf", PDF, "讲义.pdf", "application/pdf"),
        ("video", MP4, "课程.mp4", "video/mp4"),
        ("video", WEBM, "课程.webm", "video/webm"),
    ],
)
def test_real_files_are_stored_with_random_name_and_sha256(
    app, world, kind, content, name, mime
):
    """Is a real PDF / MP4 / WebM stored under UPLOAD_DIR/training with a random
    name, its SHA-256 and type taken from the content, and the upload audited?"""
    course = make_course(world)
    client = login(app, "training_admin")
    response = upload(client, course, content, kind=kind, name=name)
    assert response.status_code == 302
    material = db.session.scalar(sa.select(TrainingMaterial))
    assert material.kind == kind
    assert material.mime == mime
    assert material.sha256 == hashlib.sha256(content).hexdigest()
    assert material.size_bytes == len(content)
    assert material.original_name == name
    assert name not in material.stored_name
    assert training_files(app) == [material.stored_name]
    with open(
        os.path.join(app.config["UPLOAD_DIR"], "training", material.stored_name), "rb"
    ) as fh:
        assert fh.read() == content
    assert db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "training_material_added")
    )


@pytest.mark.parametrize(
    ("kind", "content", "name", "message"),
    [
        ("pdf", PNG, "伪装.pdf", "文件内容不是 PDF"),
        ("pdf", HTML, "伪装.pdf", "文件内容不是 PDF"),
        ("video", HTML, "伪装.mp4", "不是 MP4 或 WebM"),
        ("video", PDF, "伪装.webm", "不是 MP4 或 WebM"),
    ],
)
def test_wrong_content_is_refused_and_nothing_stored(
    app, world, kind, content, name, message
):
    """Is a file whose content is not what it claims refused with a Chinese
    message, leaving no row and no file?"""
    course = make_course(world)
    client = login(app, "training_admin")
    response = upload(client, course, content, kind=kind, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TrainingMaterial.id))) == 0
    assert training_files(app) == []


# Werkzeug's test client spools request bodies above 500 KB to a temporary file that
# it never closes (nor does the multipart parser when it aborts at the limit); the
# garbage collector closes it. Not a leak of the code under test.
BIG_BODY = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _release(response):
    """Close the spooled request body now, inside the marked test."""
    response.request.environ["wsgi.input"].close()
    gc.collect()


@BIG_BODY
def test_pdf_above_app_limit_accepted_but_over_type_limit_refused(app, world):
    """Does the upload route accept a 15 MiB PDF (above the app-wide 10 MiB) and
    refuse one byte over 20 MiB with 413, a Chinese message and nothing stored?"""
    course = make_course(world)
    client = login(app, "training_admin")
    big = padded_pdf(15 * 1024 * 1024)
    accepted = upload(client, course, big)
    assert accepted.status_code == 302
    _release(accepted)
    assert len(training_files(app)) == 1

    over = PDF + b"0" * (20 * 1024 * 1024 + 1 - len(PDF))
    response = upload(client, course, over)
    assert response.status_code == 413
    assert "PDF 文档不能超过 20 MB，未保存" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(TrainingMaterial.id))) == 1
    assert len(training_files(app)) == 1
    _release(response)


@BIG_BODY
def test_request_above_route_limit_is_413_in_chinese(app, world):
    """Is a request larger than the route's limit refused by the parser with 413
    and a Chinese message, nothing stored?"""
    app.config.update(TRAINING_PDF_MAX_MB=1, TRAINING_VIDEO_MAX_MB=1)
    course = make_course(world)
    client = login(app, "training_admin")
    response = upload(client, course, MP4 + b"0" * (3 * 1024 * 1024), kind="video")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert training_files(app) == []
    _release(response)


def test_text_material_is_sanitised(app, world):
    """Are scripts and attributes stripped from text materials (stem whitelist)?"""
    course = make_course(world)
    client = login(app, "training_admin")
    response = client.post(
        f"/admin/training/courses/{course.id}/materials/text",
        data={
            "title": "须知",
            "body": '<p onclick="x()">持证上岗</p><script>alert(1)</script>',
            "required_minutes": "3",
        },
    )
    assert response.status_code == 302
    material = db.session.scalar(sa.select(TrainingMaterial))
    assert material.body == "<p>持证上岗</p>"  # the script and its text are gone


# Scope -----------------------------------------------------------------------------


def test_admin_of_another_district_gets_404(app, world, factories):
    """Does a training admin of another county get 404 on every route of a course
    of this district, changing nothing?"""
    course = make_course(world)
    material = text_material(course)
    factories.user(
        username="other-admin",
        role="training_admin",
        scope=world.other_district,
        organisation=world.other_agency,
    )
    client = login(app, "other-admin")
    base = f"/admin/training/courses/{course.id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/edit").status_code == 404
    assert client.post(base + "/publish").status_code == 404
    assert upload(client, course, PDF).status_code == 404
    assert (
        client.post(f"/admin/training/materials/{material.id}/remove").status_code
        == 404
    )
    assert (
        course.id not in [c.id for c in db.session.scalars(sa.select(TrainingCourse))]
        or not db.session.get(TrainingCourse, course.id).is_published
    )
    assert "辅助人员岗前培训" not in client.get("/admin/training/").get_data(
        as_text=True
    )
    assert training_files(app) == []


def test_learner_outside_audience_gets_404_for_course_and_files(app, world, factories):
    """Do learners outside the audience (another county, or a role the course is
    not for) get 404 on the course, material, heartbeat and file, while a learner
    inside gets the file with range requests (video seeking)?"""
    course = make_course(world)
    admin = login(app, "training_admin")
    assert (
        upload(
            admin, course, MP4 + bytes(range(256)), kind="video", name="v.mp4"
        ).status_code
        == 302
    )
    material = course.materials[0]
    services.publish_course(course, Actor.system(), datetime(2026, 1, 2))
    db.session.commit()
    factories.user(
        username="aux-far", role="auxiliary", organisation=world.other_agency
    )
    urls = [
        f"/training/courses/{course.id}",
        f"/training/materials/{material.id}",
        f"/training/materials/{material.id}/file",
    ]
    for username in ("aux-far", "officer"):
        client = login(app, username)
        for url in urls:
            assert client.get(url).status_code == 404, (username, url)
        beat = client.post(
            f"/training/materials/{material.id}/heartbeat", json={"state": "start"}
        )
        assert beat.status_code == 404
        assert str(course.id) not in client.get("/training/?year=2026").get_data(
            as_text=True
        ).split("courses/")[-1][:5] or course.title not in client.get(
            "/training/?year=2026"
        ).get_data(as_text=True)

    learner = login(app, "auxiliary")
    for url in urls:
        response = learner.get(url)
        response.close()  # the file response holds the stored file open
        assert response.status_code == 200, url
    ranged = learner.get(urls[2], headers={"Range": "bytes=0-7"})
    ranged.close()
    assert ranged.status_code == 206
    assert ranged.data == MP4[:8]
    assert ranged.headers["Content-Type"] == "video/mp4"
    # Unpublished: learners lose access; the course's admin keeps it.
    services.unpublish_course(course, Actor.system())
    db.session.commit()
    assert learner.get(urls[2]).status_code == 404
    response = admin.get(urls[2])
    response.close()
    assert response.status_code == 200


def _token(page):
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no csrf_token in the page"
    return match.group(1)


def test_upload_route_still_checks_csrf(app, world):
    """The upload route is exempt from the global CSRF hook (which would parse the
    body under the 10 MB limit): does it still refuse a missing or forged token,
    storing nothing, and accept the page's token?"""
    app.config["WTF_CSRF_ENABLED"] = True
    course = make_course(world)
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "login": "training_admin",
            "password": PASSWORD,
            "csrf_token": _token(login_page),
        },
    )
    page = client.get(f"/admin/training/courses/{course.id}").get_data(as_text=True)
    token = _token(page)
    url = f"/admin/training/courses/{course.id}/materials/upload"
    for extra in ({}, {"csrf_token": "forged"}):
        response = client.post(
            url,
            data={
                "kind": "pdf",
                "title": "讲义",
                "required_minutes": "5",
                "file": (io.BytesIO(PDF), "a.pdf"),
                **extra,
            },
            content_type="multipart/form-data",
        )
        assert response.status_code == 400
        assert "CSRF" in response.get_data(as_text=True)
    assert training_files(app) == []
    response = client.post(
        url,
        data={
            "kind": "pdf",
            "title": "讲义",
            "required_minutes": "5",
            "file": (io.BytesIO(PDF), "a.pdf"),
            "csrf_token": token,
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(training_files(app)) == 1
