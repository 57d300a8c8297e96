"""Bulk user import from .xlsx: template, preview, atomic commit, nothing partial."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from portal.actor import Actor
from portal.admin.imports import COLUMNS, import_users
from portal.audit.models import AuditLog
from portal.auth.idcard import make_id_number
from portal.auth.models import User
from portal.exceptions import ValidationFailed
from portal.extensions import db

HEADERS = [header for _, header, _ in COLUMNS]


def _workbook(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(n, **overrides):
    row = {
        "用户名": f"imp{n:03d}",
        "姓名": f"导入{n}",
        "身份证号": make_id_number(f"42010219850101{n:03d}"),
        "手机号": f"1390000{n:04d}",
        "单位编码": "C-A-CG",
        "角色": "执法人员",
        "执法证号": f"JC{n:05d}",
        "执法领域": "城管",
    }
    row.update(overrides)
    return row


def _user_count():
    return db.session.scalar(sa.select(sa.func.count(User.id)))


@pytest.fixture
def admin_client(app, world):
    client = app.test_client()
    client.post("/login", data={"login": "sys_admin", "password": "Passw0rd!"})
    return client


def _upload(client, content, name="users.xlsx"):
    return client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_template_has_the_import_columns(admin_client):
    """Is the downloadable template a workbook with the import header and org codes?"""
    response = admin_client.get("/admin/users/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    codes = [row[0] for row in book["组织编码"].iter_rows(min_row=2, values_only=True)]
    assert "C-A-CG" in codes


def test_valid_file_previews_then_commits_once(admin_client):
    """Does a valid file preview, commit every account atomically, and only once?"""
    before = _user_count()
    content = _workbook(
        [_row(1), _row(2, 角色="执法人员、部门经办人", 角色范围编码="C-A-CG")]
    )
    preview = _upload(admin_client, content)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "全部校验通过" in page
    assert _user_count() == before  # preview saves nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)

    done = admin_client.post("/admin/users/import/commit", data={"token": token})
    assert done.status_code == 200
    assert "已导入 2 个用户" in done.get_data(as_text=True)
    assert _user_count() == before + 2
    second = db.session.scalar(sa.select(User).where(User.username == "imp002"))
    assert second.must_change_password is True
    assert {r.role for r in second.roles} == {"officer", "agency_handler"}
    assert [d.name for d in second.domains] == ["城管"]
    assert db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "users_imported")
    )

    again = admin_client.post(
        "/admin/users/import/commit", data={"token": token}, follow_redirects=True
    )
    assert "重复提交不会重复创建用户" in again.get_data(as_text=True)
    assert _user_count() == before + 2


def test_bad_rows_are_listed_and_nothing_is_saved(admin_client, world):
    """Is every bad row reported by line number, with no confirm and nothing saved?"""
    officer = world.users["officer"]
    bad_id = make_id_number("42010219850101099")[:-1] + (
        "0" if make_id_number("42010219850101099")[-1] != "0" else "1"
    )
    rows = [
        _row(1),
        _row(2, 身份证号=bad_id),  # line 3: checksum
        _row(1, 身份证号=make_id_number("42010219850101003")),  # line 4: dup username
        _row(4, 身份证号=officer.id_number),  # line 5: ID already registered
        _row(5, 单位编码="NOPE"),  # line 6
        _row(6, 角色="警察"),  # line 7
        _row(7, 角色="部门经办人"),  # line 8: scoped role without scope
        _row(8, 初始密码="abc"),  # line 9
        _row(9, 姓名=""),  # line 10
    ]
    before = _user_count()
    response = _upload(admin_client, _workbook(rows))
    page = response.get_data(as_text=True)
    assert "确认导入" not in page
    for line, text in [
        (3, "校验位"),
        (4, "与第 2 行重复"),
        (5, "已登记"),
        (6, "单位编码 NOPE 不存在"),
        (7, "未知角色"),
        (8, "角色范围编码"),
        (9, "初始密码不符合要求"),
        (10, "姓名"),
    ]:
        assert re.search(rf"第 {line} 行：[^<]*{text}", page), (line, text)
    assert _user_count() == before
    with pytest.raises(ValidationFailed):
        import_users(_workbook(rows), Actor.system())
    db.session.rollback()
    assert _user_count() == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\xd3\xc3\xbb\xa7\xc3\xfb,\xd0\xd5\xc3\xfb\n", "users.csv", ".xlsx"),
        ("用户名,姓名\n".encode("gbk"), "users.xlsx", "不是 Excel"),
        (b"PK\x03\x04broken zip", "users.xlsx", "不是有效的 .xlsx 文件"),
    ],
)
def test_unreadable_files_get_a_chinese_error(admin_client, content, name, message):
    """Are non-xlsx, GBK text and corrupt files refused with a Chinese message?"""
    before = _user_count()
    response = _upload(admin_client, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _user_count() == before


def test_missing_columns_are_named(admin_client):
    """Does a file without the template header name the missing columns?"""
    book = Workbook()
    book.active.append(["用户名", "姓名"])
    book.active.append(["x1", "某某"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = _upload(admin_client, buffer.getvalue()).get_data(as_text=True)
    assert "表头缺少必填列" in page
    assert "身份证号" in page


def test_training_admin_import_is_limited_to_scope_and_roles(app, world):
    """Can a district training admin neither import outside the district nor grant admin roles?"""
    client = app.test_client()
    client.post("/login", data={"login": "training_admin", "password": "Passw0rd!"})
    rows = [_row(1, 单位编码="C-B-SJ"), _row(2, 角色="系统管理员")]
    page = _upload(client, _workbook(rows)).get_data(as_text=True)
    assert re.search(r"第 2 行：[^<]*无权在单位", page)
    assert re.search(r"第 3 行：[^<]*无权授予角色", page)
    assert "确认导入" not in page
