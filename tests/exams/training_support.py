"""Shared helpers of the training tests: sample files, a course, logins."""

import io
import os
from decimal import Decimal

from exams.training import services
from portal.actor import Actor
from portal.extensions import db
from tests.factories import signed_in
from tests.suggestions.support import pdf_bytes

PDF = pdf_bytes()  # well-formed: every PDF upload is parsed by the PDF check


def padded_pdf(size):
    """A well-formed PDF of exactly ``size`` bytes (one uncompressed stream)."""
    empty = len(pdf_bytes(b"<< /Length 0 >>\nstream\n\nendstream"))
    pad = size - empty
    for _ in range(3):  # the /Length digits change the total; settle it
        body = b"<< /Length " + str(pad).encode() + b" >>\nstream\n"
        content = pdf_bytes(body + b"0" * pad + b"\nendstream")
        pad += size - len(content)
    assert len(content) == size
    return content


# An ISO base media header: a 24-byte ftyp box (brand isom) and an empty mdat box.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08mdat"
# An EBML header with DocType "webm" and an empty Segment.
WEBM = (
    bytes.fromhex("1A45DFA3")
    + bytes.fromhex("9F4286810142F7810142F2810442F381084282")
    + bytes([0x84])
    + b"webm"
    + bytes.fromhex("428781024285810218538067")
    + bytes.fromhex("80")
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


login = signed_in  # a fresh client of ``app`` signed in as ``username``


def make_course(world, *, title="辅助人员岗前培训", year=2026, hours="4", **fields):
    course = services.create_course(
        Actor.system(),
        title=title,
        description="",
        year=year,
        credit_hours=Decimal(hours),
        for_auxiliary=fields.pop("for_auxiliary", True),
        for_officer=fields.pop("for_officer", False),
        organisation_id=fields.pop("organisation_id", world.district.id),
        paper_id=fields.pop("paper_id", None),
        quiz_minutes=30,
        quiz_attempts=fields.pop("quiz_attempts", 3),
    )
    db.session.commit()
    return course


def text_material(course, minutes=1, body="学习内容"):
    material = services.add_text_material(
        course, Actor.system(), title="第一讲", body=body, required_minutes=minutes
    )
    db.session.commit()
    return material


def training_files(app):
    folder = os.path.join(app.config["UPLOAD_DIR"], "training")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload(client, course, content, *, kind="pdf", name="讲义.pdf"):
    return client.post(
        f"/admin/training/courses/{course.id}/materials/upload",
        data={
            "kind": kind,
            "title": "材料",
            "required_minutes": "10",
            "file": (io.BytesIO(content), name),
        },
        content_type="multipart/form-data",
    )


def quiz_paper():
    """A blueprint paper of one 判断题 worth 100 (pass mark 60)."""
    from exams.banks.services import commit_import, ensure_bank, plan_import
    from exams.formats.model import ImportedQuestion, ImportResult
    from exams.papers.services import create_blueprint_paper

    bank = ensure_bank("TRAIN", "培训题库")
    question = ImportedQuestion(
        type="true_false",
        stem="辅助人员可以独立作出行政处罚。",
        key=["错"],
        source="第2行",
    )
    plan = plan_import(ImportResult(questions=[question], format="xlsx"), bank)
    commit_import(plan, bank, Actor.system())
    paper = create_blueprint_paper(
        "结业测验卷",
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
    return paper
