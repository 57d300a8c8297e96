"""The role-based navigation: menus group the pages, a one-entry menu is a link."""

import re

import pytest

from tests.casebank.review_support import login


def _nav(page):
    return page[page.index('id="mainNav"') : page.index('data-testid="current-user"')]


@pytest.mark.parametrize(
    ("username", "menus", "links", "absent"),
    [
        (
            "sys_admin",
            ["培训考试", "案卷评查", "群众意见", "资料", "系统管理"],
            [
                "题库",
                "知识点",
                "试卷",
                "考试安排",
                "主观题阅卷",
                "评查队列",
                "监督意见书",
                "意见建议统计",
                "工作日历",
                "审计日志",
            ],
            ["我的考试", "待办理", "我的评查任务"],
        ),
        (
            "agency_handler",
            ["案卷评查", "资料"],  # 案卷 and 待整改意见书 in one menu
            ["待办理", "待整改意见书"],  # 待办理 alone: a plain link
            ["群众意见", "评查队列", "系统管理", "审计日志"],
        ),
        (
            "invited_supervisor",
            ["资料"],
            ["我的评查任务", "群众意见监督"],
            ["案卷评查", "系统管理", "监督意见书"],
        ),
        (
            "officer",
            ["资料"],
            ["我的考试", "练习", "我的证书"],
            ["培训考试", "案卷评查", "群众意见", "系统管理"],
        ),
    ],
)
def test_menus_by_role(app, world, username, menus, links, absent):
    nav = _nav(login(app, username).get("/dashboard").get_data(as_text=True))
    toggles = re.findall(r"dropdown-toggle[^>]*>([^<]+)</a>", nav)
    assert toggles == menus
    for label in links:
        assert f">{label}</a>" in nav, label
    for label in absent:
        assert f">{label}</a>" not in nav, label
    # 证件照 (printed on the 执法资格证书) is offered to officers only.
    page = login(app, username).get("/dashboard").get_data(as_text=True)
    assert (">证件照</a>" in page) == (username == "officer")
