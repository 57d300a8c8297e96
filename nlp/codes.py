"""Chinese labels of finding and hint codes: the one mapping the UI, exports and
charts use (codes stay in the JSON contract; people read the labels)."""

FINDING_LABELS: dict[str, str] = {
    "FINE_ABOVE_STATUTORY": "罚款超过法定上限",
    "FINE_BELOW_STATUTORY_NO_REASON": "低于法定下限且未载明减轻理由",
    "FINE_OUTSIDE_TIER": "罚款超出裁量档次且未说明理由",
    "NO_PENALTY_EXPECTED": "符合不予处罚情形却处罚款",
    "CITATION_REPEALED": "引用已废止的法律",
    "CITATION_NOT_FOUND": "引用的条款不存在",
    "BASIS_MISMATCH": "处罚依据与裁量基准事项不一致",
    "NO_DISCRETION_REASONING": "未载明裁量理由",
    "AMOUNT_INCONSISTENT": "金额前后不一致",
    "INCONSISTENT_WITH_SIMILAR": "与同类案件处罚明显不一致",
    # Hints (提示): not findings.
    "CITATION_REPEAL_UNCERTAIN": "决定日期不详，引用法律可能已废止",
    "CITATION_OLD_LAW_APPLIES": "违法行为发生在法律废止前（从旧兼从轻）",
    "NO_ITEM_MATCHED": "未匹配到裁量基准事项",
    "LAWFUL_ADJUSTMENT": "依法从轻、减轻或从重（已载明理由）",
}

SEVERITY_LABELS: dict[str, str] = {
    "high": "严重",
    "medium": "一般",
    "low": "轻微",
    "hint": "提示",
}


def finding_label(code: str | None) -> str:
    """The Chinese label of a code; an unknown code gets a generic label, never
    the raw code."""
    if not code:
        return ""
    return FINDING_LABELS.get(code, "其他检查发现")
