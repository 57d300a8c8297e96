"""Audit log: recording service, admin view and Excel export."""

import json

from flask import Blueprint

from portal.extensions import db

bp = Blueprint("audit", __name__, template_folder="templates")

ACTION_LABELS = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "account_locked": "账号锁定",
    "account_unlocked": "账号解锁",
    "logout": "退出登录",
    "session_expired": "会话超时",
    "password_changed": "修改密码",
    "password_reset": "重置密码",
    "password_expired": "密码过期须修改",
    "user_created": "创建用户",
    "user_updated": "修改用户",
    "user_activated": "启用账号",
    "user_deactivated": "停用账号",
    "role_granted": "授予角色",
    "role_revoked": "撤销角色",
    "users_imported": "批量导入用户",
    "org_created": "创建组织",
    "org_updated": "修改组织",
    "audit_exported": "导出审计日志",
    "import_uploads_purged": "清理过期导入文件",
    "access_refused": "拒绝访问",
    "csrf_failed": "表单校验失败（CSRF）",
    "rate_limited": "请求频率超限",
    "bank_created": "新建题库",
    "paper_created": "新建试卷",
    "paper_edited": "修改试卷（设置、组卷规则或试题）",
    "paper_copied": "复制为新试卷",
    "arrangement_created": "发布考试安排",
    "arrangement_changed": "修改考试安排",
    "arrangement_postponed": "考试延期",
    "arrangement_published": "发布草稿考试安排",
    "arrangement_cancelled": "取消考试",
    "candidate_removed": "移出考生名单",
    "candidates_enrolled": "导入考生名单",
    "attempt_started": "开始考试",
    "demo_seeded": "生成演示数据",
    "laws_imported": "导入国家法律法规库",
    "law_added": "新增法规",
    "questions_imported": "导入试题",
    "question_edited": "修改试题",
    "question_reviewed": "试题法条复核",
    "question_created": "新增试题",
    "question_copied": "复制试题",
    "question_retired": "停用试题",
    "question_enabled": "启用试题",
    "knowledge_point_created": "新建知识点",
    "knowledge_point_renamed": "重命名知识点",
    "knowledge_point_moved": "移动知识点",
    "knowledge_point_merged": "合并知识点",
    "knowledge_point_retired": "停用知识点",
    "knowledge_point_enabled": "启用知识点",
    "papers_pregenerated": "预生成考生试卷",
    "candidate_adjusted": "调整考生考试安排",
    "attempt_submitted": "交卷",
    "answer_graded": "阅卷评分",
    "answer_grade_revised": "改分",
    "appeal_filed": "申请成绩复核",
    "appeal_decided": "处理成绩复核申请",
    "appeal_resolved": "成绩复核完成",
    "result_settings_changed": "修改成绩与阅卷设置",
    "key_corrected": "更正答案并重新评分",
    "results_released": "公布成绩",
    "results_withdrawn": "撤回成绩公布",
    "exam_report_exported": "导出考试统计或成绩单",
    "certificate_issued": "颁发证书",
    "certificate_suspended": "暂扣证书",
    "certificate_revoked": "注销证书",
    "certificate_reinstated": "恢复证书",
    "certificate_reviewed": "证书年度审验",
    "certificate_expired": "证书到期",
    "certificates_exported": "导出证书清单",
    "bank_practice_set": "设置题库练习开放",
    "attempt_device_released": "允许考生更换设备作答",
    "training_course_created": "新建培训课程",
    "training_course_updated": "修改培训课程",
    "training_course_published": "发布培训课程",
    "training_course_unpublished": "撤回培训课程",
    "training_material_added": "添加培训材料",
    "training_material_removed": "删除培训材料",
    "training_material_moved": "调整培训材料顺序",
    "training_requirement_set": "设置年度学时要求",
    "training_report_exported": "导出培训进度报表",
    "catalogue_imported": "导入裁量基准",
    "catalogue_published": "发布裁量基准",
    "catalogue_withdrawn": "撤回裁量基准",
    "suggestion_submitted": "提交群众意见建议",
    "cases_added": "添加案卷",
    "case_metadata_edited": "修改案卷信息",
    "case_recheck_requested": "重新检查案卷",
    "workday_set": "工作日历设置",
    "workday_removed": "工作日历删除",
    "case_sample_drawn": "随机抽取评查案卷",
    "review_assigned": "分配评查任务",
    "review_assignment_cancelled": "撤回评查任务",
    "review_assignment_done": "完成评查任务",
    "interest_declared": "申报利益冲突",
    "interest_withdrawn": "撤回利益冲突申报",
    "review_template_published": "发布评分模板",
    "case_review_submitted": "提交案卷评查",
    "finding_labelled": "标注检查发现（确认/驳回）",
    "finding_labels_exported": "导出检查发现标注数据",
    "checker_code_demoted": "检查发现降为提示（精确率低于下限）",
    "checker_code_restored": "检查发现恢复为问题",
    "opinion_issued": "签发监督意见书",
    "opinion_replied": "提交监督意见书整改情况",
    "opinion_accepted": "采纳整改情况（监督意见书办结）",
    "opinion_returned": "退回整改情况",
    "opinion_deadline_changed": "变更监督意见书整改期限",
    "suggestion_stats_exported": "导出群众意见建议统计",
    "suggestions_deidentified": "群众意见建议去标识化",
    "suggestion_observation_added": "添加监督员意见",
    "suggestion_escalated": "监督员转案卷评查",
    "suggestion_escalation_handled": "处理监督员转办",
    "suggestion_accepted": "受理群众意见建议",
    "suggestion_rejected": "群众意见建议不予受理",
    "suggestion_merged": "合并重复意见建议",
    "suggestion_assigned": "转交意见建议办理",
    "suggestion_extended": "意见建议延期办理",
    "suggestion_extension_requested": "申请意见建议延期",
    "suggestion_extension_refused": "不同意意见建议延期",
    "suggestion_reply_submitted": "提交意见建议答复",
    "suggestion_reply_approved": "审核通过意见建议答复",
    "suggestion_reply_returned": "退回意见建议答复",
    "suggestion_returned_by_agency": "办理单位退单",
    "suggestion_reply_published": "公开意见建议答复",
    "suggestion_rated": "评价意见建议办理结果",
    "suggestion_contested": "对意见建议办理结果提出异议",
    "suggestion_closed": "意见建议办结",
    "suggestion_contact_viewed": "查看反映人联系方式",
    "suggestion_attachment_downloaded": "下载意见建议附件",
    "backup_created": "创建备份",
    "backup_restored": "从备份恢复",
}


def _dump(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


OUTCOME_LABELS = {"success": "成功", "failure": "失败", "refused": "拒绝"}


def record(
    action,
    actor,
    target=None,
    *,
    before=None,
    after=None,
    label=None,
    outcome="success",
):
    """Append one audit entry; the caller's transaction commits it.

    :param action: a key of ``ACTION_LABELS``.
    :param actor: a :class:`portal.actor.Actor`.
    :param target: the model object acted on, if any.
    :param before: state before the change (dict or text), if any.
    :param after: state after the change (dict or text), if any.
    :param label: a readable name for the target; defaults to its ``audit_label``.
    :param outcome: ``success``, ``failure`` or ``refused``.
    :return: the new :class:`AuditLog`.
    """
    from portal.audit.models import AuditLog

    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in OUTCOME_LABELS:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    entry = AuditLog(
        action=action,
        actor_id=actor.user.id if actor.user is not None else None,
        actor_name=actor.label,
        ip=actor.ip,
        before=_dump(before),
        after=_dump(after),
        outcome=outcome,
    )
    if target is not None:
        entry.target_type = type(target).__name__
        entry.target_id = str(target.id)
        entry.target_label = (
            label or getattr(target, "audit_label", None) or str(target.id)
        )
    elif label:
        entry.target_label = label
    db.session.add(entry)
    db.session.flush()
    return entry


def init_app(app):
    from portal.audit import models, views  # noqa: F401 - register models and routes

    app.register_blueprint(bp, url_prefix="/admin/audit")

    @app.template_filter("audit_action")
    def audit_action_label(action):
        return ACTION_LABELS.get(action, action)
