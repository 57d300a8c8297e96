"""Pre-mark the 评查表 from the checker's findings the reviewer confirmed.

A confirmed finding marks the deduction (or veto) item it corresponds to, with the
item's maximum deduction and the finding's message as the note; the reviewer can
change or clear it. Items are matched by a phrase of their text, so a template
version that rewords an item simply gets no pre-mark for it.
"""

from casebank.reviews.queries import finding_key, labels_by_key

# checker code → a phrase of the matching item of the default template.
ITEM_PHRASES = {
    "AMOUNT_INCONSISTENT": "罚没金额大写与小写不一致",
    "BASIS_MISMATCH": "引用的法律条文与认定的违法事实不对应",
    "CITATION_NOT_FOUND": "条、款、项、目引用不准确",
    "CITATION_REPEALED": "适用已失效的依据",
    "FINE_ABOVE_STATUTORY": "处罚超出法定种类或幅度",
    "FINE_BELOW_STATUTORY_NO_REASON": "罚款低于法定下限",
    "FINE_OUTSIDE_TIER": "罚款偏离认定情节对应的基准档次",
    "INCONSISTENT_WITH_SIMILAR": "处罚与同类案件明显不一致",
    "NO_DISCRETION_REASONING": "未说明裁量理由",
}


def item_for(template, code):
    """The template item matching a finding code, or None."""
    phrase = ITEM_PHRASES.get(code)
    if not phrase:
        return None
    for section in template.sections:
        for item in section.items:
            if phrase in item.text:
                return item
    return None


def confirmed_entries(template, case, reviewer):
    """Raw sheet values (as the form posts them) for the confirmed findings.

    :return: ``(values, sources)``: item id → ``{"points", "vetoed", "note"}`` and
        item id → the finding codes that marked it.
    """
    labels = labels_by_key(case, reviewer)
    values, sources = {}, {}
    for finding in case.findings:
        label = labels.get(finding_key(finding.code, finding.evidence))
        if label is None or label.decision != "confirmed":
            continue
        item = item_for(template, finding.code)
        if item is None:
            continue
        entry = values.setdefault(item.id, {"points": "", "vetoed": False, "note": ""})
        if item.veto:
            entry["vetoed"] = True
        else:
            entry["points"] = str(item.max_deduction.normalize())
        note = finding.message.strip()
        entry["note"] = (entry["note"] + "；" + note if entry["note"] else note)[:500]
        sources.setdefault(item.id, []).append(finding.code)
    return values, sources


def item_by_finding(template, findings):
    """finding id → item text, to show beside each finding what it marks."""
    result = {}
    for finding in findings:
        item = item_for(template, finding.code)
        if item is not None:
            result[finding.id] = item
    return result
