"""Bulk user import from ``.xlsx``: template, row validation, atomic commit."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from portal import audit
from portal.admin.services import create_user, grant_role
from portal.auth.idcard import id_number_error, normalise_id_number
from portal.auth.models import ROLE_BY_LABEL, ROLE_LABELS, SCOPED_ROLES, User
from portal.auth.passwords import policy_errors
from portal.auth.queries import can_manage_org, grantable_roles
from portal.exceptions import ValidationFailed
from portal.extensions import db
from portal.orgs.models import Domain, Organisation
from portal.spreadsheets import append, new_workbook, open_workbook, workbook_bytes
from portal.uploads import FormatError

COLUMNS = [
    ("username", "用户名", True),
    ("name", "姓名", True),
    ("id_number", "身份证号", True),
    ("phone", "手机号", False),
    ("org_code", "单位编码", True),
    ("roles", "角色", True),
    ("scope_code", "角色范围编码", False),
    ("cert_number", "执法证号", False),
    ("domains", "执法领域", False),
    ("contact_point", "联系点", False),
    ("password", "初始密码", False),
]
HEADER_TO_KEY = {header: key for key, header, _ in COLUMNS}
MAX_ROWS = 5000
_SPLIT = re.compile(r"[、,，;；/\s]+")
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
_PHONE = re.compile(r"^1\d{10}$")


@dataclass
class ImportRow:
    line: int
    values: dict
    errors: list = field(default_factory=list)


@dataclass
class ImportResult:
    rows: list

    @property
    def errors(self):
        return [(row.line, message) for row in self.rows for message in row.errors]

    @property
    def is_valid(self):
        return bool(self.rows) and not self.errors


def build_template():
    """Return the bytes of the downloadable ``.xlsx`` template."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = "用户"
    sheet.append([header for _, header, _ in COLUMNS])
    sheet.append(
        [
            "zhangsan",
            "张三",
            "11010519491231002X",
            "13800001234",
            "JC-DH-CG",
            "执法人员",
            "",
            "JC0001234",
            "城管",
            "",
            "",
        ]
    )
    for column, (_, header, _) in zip("ABCDEFGHIJK", COLUMNS, strict=True):
        sheet.column_dimensions[column].width = max(12, len(header) * 3)
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "是否必填", "说明"])
    explanations = {
        "用户名": "3–64 位字母、数字、下划线、点或短横线，全系统唯一",
        "身份证号": "18 位居民身份证号，按 GB 11643 校验",
        "单位编码": "所属单位的组织编码，见“组织编码”工作表",
        "角色": "可填多个，用顿号分隔：" + "、".join(ROLE_LABELS.values()),
        "角色范围编码": "培训管理员、执法监督人员、特邀监督员、部门经办人须填写负责的组织编码",
        "执法领域": "可填多个，用顿号分隔，如 城管、市场监管",
        "初始密码": "可留空，留空时系统随机生成；用户首次登录须修改",
    }
    for _, header, required in COLUMNS:
        notes.append(
            [header, "必填" if required else "选填", explanations.get(header, "")]
        )
    codes = workbook.create_sheet("组织编码")
    codes.append(["编码", "名称"])
    for code, name in db.session.execute(
        sa.select(Organisation.code, Organisation.name).order_by(Organisation.path)
    ):
        append(codes, [code, name])
    return workbook_bytes(workbook)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel cells come back as floats
    return str(value).strip()


def _cell_values(cells):
    """The values of one row; a formula cell stops the import (it could compute
    anything, and its cached result is not what the sender sees)."""
    values = []
    for cell in cells:
        if getattr(cell, "data_type", None) == "f":
            raise ValidationFailed(
                f"单元格 {cell.coordinate} 含有公式，请改为直接填写内容后重新上传"
            )
        values.append(cell.value)
    return values


def read_rows(content):
    """Read the data rows of an uploaded workbook.

    :return: a list of :class:`ImportRow` (values by column key).
    :raises ValidationFailed: the file is not a readable template.
    """
    if not content.startswith(b"PK"):
        raise ValidationFailed(
            "文件不是 Excel .xlsx 格式（如为 .xls 或 .csv，请另存为 .xlsx 后上传）"
        )
    try:
        # Formulas are read as formulas (not their cached results) and refused.
        with open_workbook(content, data_only=False) as workbook:
            return _read_sheet(workbook)
    except FormatError as exc:
        raise ValidationFailed(str(exc)) from None


def _read_sheet(workbook):
    sheet = workbook.worksheets[0]
    rows = (_cell_values(cells) for cells in sheet.iter_rows())
    header = [_text(v) for v in next(rows, [])]
    missing = [h for _, h, required in COLUMNS if required and h not in header]
    if missing:
        raise ValidationFailed(
            "表头缺少必填列：" + "、".join(missing) + "（请使用下载的模板）"
        )
    keys = [HEADER_TO_KEY.get(h) for h in header]
    result = []
    for line, raw in enumerate(rows, start=2):
        values = {key: _text(v) for key, v in zip(keys, raw, strict=False) if key}
        if not any(values.values()):
            continue
        if len(result) >= MAX_ROWS:
            raise ValidationFailed(f"单个文件最多导入 {MAX_ROWS} 行，请拆分后上传")
        result.append(ImportRow(line=line, values=values))
    if not result:
        raise ValidationFailed("文件中没有数据行")
    return result


def validate_rows(rows, actor):
    """Check every row; errors are attached to the rows, nothing is written.

    :return: an :class:`ImportResult`.
    """
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    domains = {d.name: d for d in db.session.scalars(sa.select(Domain))}
    usernames = [r.values.get("username", "") for r in rows]
    id_numbers = [normalise_id_number(r.values.get("id_number")) for r in rows]
    taken_usernames = set(
        db.session.scalars(sa.select(User.username).where(User.username.in_(usernames)))
    )
    taken_ids = set(
        db.session.scalars(
            sa.select(User.id_number).where(User.id_number.in_(id_numbers))
        )
    )
    allowed_roles = set(grantable_roles(actor.user)) if actor.user else set(ROLE_LABELS)
    seen_usernames, seen_ids = {}, {}
    for row in rows:
        v, errors = row.values, row.errors
        for key, header, required in COLUMNS:
            if required and not v.get(key):
                errors.append(f"“{header}”不能为空")
        username = v.get("username", "")
        if username:
            if not _USERNAME.match(username):
                errors.append("用户名只能包含字母、数字、下划线、点和短横线，3–64 位")
            elif username in taken_usernames:
                errors.append(f"用户名 {username} 已存在于系统中")
            elif username in seen_usernames:
                errors.append(
                    f"用户名 {username} 与第 {seen_usernames[username]} 行重复"
                )
            seen_usernames.setdefault(username, row.line)
        id_number = normalise_id_number(v.get("id_number"))
        if id_number:
            if error := id_number_error(id_number):
                errors.append(error)
            elif id_number in taken_ids:
                errors.append("身份证号已登记在系统中")
            elif id_number in seen_ids:
                errors.append(f"身份证号与第 {seen_ids[id_number]} 行重复")
            seen_ids.setdefault(id_number, row.line)
        if v.get("phone") and not _PHONE.match(v["phone"]):
            errors.append("手机号应为 11 位数字")
        org = orgs.get(v.get("org_code", ""))
        if v.get("org_code") and org is None:
            errors.append(f"单位编码 {v['org_code']} 不存在")
        elif org is not None and actor.user and not can_manage_org(actor.user, org):
            errors.append(f"无权在单位 {org.name} 下导入用户")
        roles = [label for label in _SPLIT.split(v.get("roles", "")) if label]
        unknown = [label for label in roles if label not in ROLE_BY_LABEL]
        if unknown:
            errors.append("未知角色：" + "、".join(unknown))
        known = [ROLE_BY_LABEL[label] for label in roles if label in ROLE_BY_LABEL]
        refused = [r.label for r in known if r not in allowed_roles]
        if refused:
            errors.append("无权授予角色：" + "、".join(refused))
        scope_code = v.get("scope_code", "")
        if any(r in SCOPED_ROLES for r in known):
            scope = orgs.get(scope_code)
            if not scope_code:
                errors.append("该角色须填写“角色范围编码”")
            elif scope is None:
                errors.append(f"角色范围编码 {scope_code} 不存在")
            elif actor.user and not can_manage_org(actor.user, scope):
                errors.append(f"无权授予范围 {scope.name}")
        unknown_domains = [
            d for d in _SPLIT.split(v.get("domains", "")) if d and d not in domains
        ]
        if unknown_domains:
            errors.append("未知执法领域：" + "、".join(unknown_domains))
        if v.get("password") and (
            problems := policy_errors(
                v["password"],
                username=v.get("username"),
                id_number=v.get("id_number"),
            )
        ):
            errors.append("初始密码不符合要求：" + "；".join(problems))
    return ImportResult(rows=rows)


def import_users(content, actor, filename=""):
    """Validate the whole file and, only if every row is valid, create all accounts.

    :return: a list of ``(user, initial_password)``.
    :raises ValidationFailed: unreadable file or any invalid row (nothing saved).
    """
    result = validate_rows(read_rows(content), actor)
    if not result.is_valid:
        raise ValidationFailed(f"文件中有 {len(result.errors)} 处错误，未导入任何用户")
    orgs = {o.code: o for o in db.session.scalars(sa.select(Organisation))}
    domains = {d.name: d for d in db.session.scalars(sa.select(Domain))}
    created = []
    for row in result.rows:
        v = row.values
        user, password = create_user(
            actor,
            username=v["username"],
            name=v["name"],
            organisation=orgs[v["org_code"]],
            id_number=v["id_number"],
            phone=v.get("phone"),
            cert_number=v.get("cert_number"),
            contact_point=v.get("contact_point"),
            domains=[domains[d] for d in _SPLIT.split(v.get("domains", "")) if d],
            password=v.get("password") or None,
            audited=False,
        )
        for label in _SPLIT.split(v["roles"]):
            if label:
                role = ROLE_BY_LABEL[label]
                scope = (
                    orgs.get(v.get("scope_code", "")) if role in SCOPED_ROLES else None
                )
                grant_role(user, role, actor, scope=scope)
        created.append((user, password))
    audit.record(
        "users_imported",
        actor,
        label=filename or None,
        after={"人数": len(created), "用户名": [u.username for u, _ in created][:200]},
    )
    db.session.flush()
    return created
