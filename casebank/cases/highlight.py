"""Build the highlighted decision text from spans, escaping every piece.

Spans may overlap; the text is cut at every span boundary and each piece is
escaped and wrapped in ``<mark>`` elements whose classes name the span kinds.
Only the class names and titles chosen here reach the markup unescaped.
"""

import re

from markupsafe import Markup, escape

KINDS = {
    "citation": "引用法条",
    "amount": "金额",
    "factor": "裁量情节",
    "finding": "检查发现的证据",
}
_AMOUNT = re.compile(
    r"(?:人民币|¥|￥)?\s*[0-9０-９][0-9０-９,，.．]*\s*(?:万|千)?\s*元"
    r"|[零壹贰叁肆伍陆柒捌玖拾佰仟萬万亿一二三四五六七八九十百千]{2,}\s*元(?:整)?"
)


def spans_from_review(text: str, review: dict | None, findings) -> list[tuple]:
    """(start, end, kind) spans: citations, amounts, factors, findings' evidence."""
    spans: list[tuple] = []
    review = review or {}
    for citation in review.get("citations") or []:
        needle = citation.get("text") or ""
        if not needle:
            continue
        start = text.find(needle)
        while start != -1:
            spans.append((start, start + len(needle), "citation"))
            start = text.find(needle, start + len(needle))
    for factor in review.get("factors") or []:
        start, end = factor.get("start"), factor.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            spans.append((start, min(end, len(text)), "factor"))
    for match in _AMOUNT.finditer(text):
        spans.append((match.start(), match.end(), "amount"))
    for finding in findings:
        for start, end in finding.spans or []:
            if 0 <= start < end <= len(text):
                spans.append((start, end, "finding"))
    return spans


def highlight(text: str, spans, anchors=None) -> Markup:
    """The escaped text with ``<mark class="hl-KIND …">`` around each span.

    :param anchors: optional offset → element id; an empty ``<span id>`` is put at
        each offset so a link can jump to that place (e.g. a finding's evidence).
    """
    anchors = {k: v for k, v in (anchors or {}).items() if 0 <= k < len(text)}
    cuts = {0, len(text), *anchors}
    for start, end, _ in spans:
        cuts.update((max(0, start), min(len(text), end)))
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        if a in anchors:
            out.append(Markup('<span id="{}" tabindex="-1"></span>').format(anchors[a]))
        piece = escape(text[a:b])
        kinds = sorted({k for s, e, k in spans if s <= a and b <= e and k in KINDS})
        if kinds:
            classes = " ".join(f"hl-{k}" for k in kinds)
            title = "、".join(KINDS[k] for k in kinds)
            out.append(Markup('<mark class="{}" title="{}">').format(classes, title))
            out.append(piece)
            out.append(Markup("</mark>"))
        else:
            out.append(piece)
    return Markup("").join(out)
