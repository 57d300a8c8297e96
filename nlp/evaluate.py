"""Evaluate the checker against a labelled set (format ``zhifa.labels/1``, docs/nlp.md)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlp.catalogue import load_catalogue
from nlp.citations import short_law_name
from nlp.documents import read_text

FINDING_CODES = (
    "FINE_ABOVE_STATUTORY",
    "FINE_BELOW_STATUTORY_NO_REASON",
    "FINE_OUTSIDE_TIER",
    "NO_PENALTY_EXPECTED",
    "CITATION_REPEALED",
    "CITATION_NOT_FOUND",
    "BASIS_MISMATCH",
    "NO_DISCRETION_REASONING",
    "AMOUNT_INCONSISTENT",
    "INCONSISTENT_WITH_SIMILAR",
)


class LabelError(ValueError):
    """A labels file that cannot be used."""


@dataclass
class LabelledDoc:
    path: Path
    labels: dict


@dataclass
class LabelSet:
    catalogues: list[Path] = field(default_factory=list)
    documents: list[LabelledDoc] = field(default_factory=list)


def load_labels(paths: list[str | Path]) -> LabelSet:
    """Read one or more labels files; catalogues are merged without duplicates.

    :raises LabelError: unreadable file or wrong format.
    """
    result = LabelSet()
    for raw in paths:
        path = Path(raw)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LabelError(f"无法读取标注文件 {path}：{exc}") from exc
        if data.get("format") != "zhifa.labels/1":
            raise LabelError(f"标注文件 {path} 的 format 应为 zhifa.labels/1")
        for name in data.get("catalogues", []):
            catalogue = (path.parent / name).resolve()
            if catalogue not in result.catalogues:
                result.catalogues.append(catalogue)
        for entry in data.get("documents", []):
            result.documents.append(
                LabelledDoc((path.parent / entry["file"]).resolve(), entry)
            )
    return result


def _citation_key(c: dict) -> tuple:
    return (short_law_name(c["law"]), c["article"], c.get("paragraph"), c.get("item"))


def _fine_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.005


def score(results: list[dict], labels: list[dict]) -> dict:
    """Compute the metrics of the issue from review results and their labels.

    :param results: review JSON objects, in the order of ``labels``.
    :param labels: the label entries.
    :return: a JSON-ready dict of metrics.
    """
    tp = fp = fn = 0
    role_ok = role_total = status_ok = 0
    fine_ok = item_ok = tier_ok = date_ok = party_ok = 0
    code_tp, code_fp, code_fn = Counter(), Counter(), Counter()
    errors = []
    for result, label in zip(results, labels, strict=True):
        expected = {_citation_key(c): c for c in label.get("citations", [])}
        found = {}
        for c in result["citations"]:
            found.setdefault(_citation_key(c), c)
        for key, c in found.items():
            if key in expected:
                tp += 1
                role_total += 1
                role_ok += c["role"] == expected[key]["role"]
                status_ok += c["status"] == expected[key]["status"]
            else:
                fp += 1
        fn += sum(1 for key in expected if key not in found)
        fine_ok += _fine_equal(result["penalties"]["fine_yuan"], label.get("fine_yuan"))
        predicted_item = result["match"]["item_id"] if result["match"] else None
        item_ok += predicted_item == label.get("item_id")
        tier_ok += result["tier"] == label.get("tier")
        date_ok += result["decision_date"] == label.get("decision_date")
        party_ok += result["party"] == label.get("party")
        got = {f["code"] for f in result["findings"]}
        want = set(label.get("findings", []))
        for code in got & want:
            code_tp[code] += 1
        for code in got - want:
            code_fp[code] += 1
        for code in want - got:
            code_fn[code] += 1
        if got != want or predicted_item != label.get("item_id"):
            errors.append(
                {
                    "file": label["file"],
                    "item": [predicted_item, label.get("item_id")],
                    "missed": sorted(want - got),
                    "extra": sorted(got - want),
                }
            )
    n = len(labels) or 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    per_code = {}
    for code in FINDING_CODES:
        t, p, m = code_tp[code], code_fp[code], code_fn[code]
        per_code[code] = {
            "support": t + m,
            "predicted": t + p,
            "precision": round(t / (t + p), 4) if t + p else None,
            "recall": round(t / (t + m), 4) if t + m else None,
        }
    all_tp, all_fp, all_fn = (
        sum(code_tp.values()),
        sum(code_fp.values()),
        sum(code_fn.values()),
    )
    return {
        "documents": len(labels),
        "citation_precision": round(precision, 4),
        "citation_recall": round(recall, 4),
        "citation_f1": round(2 * precision * recall / (precision + recall), 4)
        if precision + recall
        else 0.0,
        "citation_role_accuracy": round(role_ok / role_total, 4)
        if role_total
        else None,
        "citation_status_accuracy": round(status_ok / role_total, 4)
        if role_total
        else None,
        "fine_exact_match": round(fine_ok / n, 4),
        "item_top1_accuracy": round(item_ok / n, 4),
        "tier_accuracy": round(tier_ok / n, 4),
        "decision_date_accuracy": round(date_ok / n, 4),
        "party_accuracy": round(party_ok / n, 4),
        "finding_precision": round(all_tp / (all_tp + all_fp), 4)
        if all_tp + all_fp
        else None,
        "finding_recall": round(all_tp / (all_tp + all_fn), 4)
        if all_tp + all_fn
        else None,
        "findings_by_code": per_code,
        "errors": errors,
    }


def evaluate(
    reviewer_factory, label_paths: list[str | Path], use_embedding: bool = True
) -> dict:
    """Review every labelled document and score the results.

    Each document is reviewed with the other labelled documents as its 同案不同罚
    corpus (leave-one-out): a first pass reviews them all, a second pass reviews
    each again against the rest.

    :param reviewer_factory: callable ``catalogues -> Reviewer``.
    :param label_paths: labels files.
    :param use_embedding: False for the TF-IDF-only baseline.
    :return: the metrics dict of :func:`score`.
    """
    labels = load_labels(label_paths)
    catalogues = [load_catalogue(p) for p in labels.catalogues]
    reviewer = reviewer_factory(catalogues)
    parsed = [
        reviewer.parse(read_text(doc.path), doc.labels["file"])
        for doc in labels.documents
    ]
    for entry in parsed:
        reviewer.review_parsed(entry, use_embedding)
    results = []
    for entry in parsed:
        reviewer.corpus = [
            point
            for source, point in reviewer.points().items()
            if source != entry.source
        ]
        results.append(reviewer.review_parsed(entry, use_embedding))
    metrics = score(results, [doc.labels for doc in labels.documents])
    metrics["item_top1_without_citations"] = _text_only_accuracy(
        reviewer, parsed, labels, use_embedding
    )
    return metrics


def _text_only_accuracy(reviewer, parsed, labels, use_embedding) -> float | None:
    """Item top-1 when the citations are ignored: retrieval alone (TF-IDF or hybrid).

    Most decisions are matched by their cited provisions; this ablation measures
    the retrieval that decides when citations are missing or wrong.
    """
    hits = total = 0
    for entry, doc in zip(parsed, labels.documents, strict=True):
        wanted = doc.labels.get("item_id")
        if not wanted:
            continue
        matcher = reviewer.matcher_for(entry.facts.reference_date)
        match = matcher.match(
            [], entry.retrieval_text, use_embedding, focus=entry.focus_text
        )
        total += 1
        hits += bool(match) and match.item.id == wanted
    return round(hits / total, 4) if total else None


def score_feedback(results: list[dict], feedback: list[dict]) -> dict:
    """Finding metrics against supervisors' verdicts (the portal's labels).

    Supervisors label findings they were shown, not whole decisions, so only
    labelled codes are scored: a code the checker reports now that supervisors
    confirmed is a true positive, one they dismissed a false positive, and a
    confirmed code it no longer reports a miss. Codes nobody labelled count
    neither way. Fine, date and party are scored against the case's metadata as
    staff corrected it, where present.

    :param results: review JSON objects, in the order of ``feedback``.
    :param feedback: per case ``{"case_id", "confirmed": [codes], "dismissed":
        [codes], "fine_yuan", "decision_date", "party"}``.
    :return: the metrics dict (the finding and metadata keys of :func:`score`).
    """
    code_tp, code_fp, code_fn = Counter(), Counter(), Counter()
    fine_ok = date_ok = party_ok = 0
    fine_n = date_n = party_n = 0
    errors = []
    for result, entry in zip(results, feedback, strict=True):
        got = {f["code"] for f in result["findings"]}
        confirmed, dismissed = set(entry["confirmed"]), set(entry["dismissed"])
        for code in got & confirmed:
            code_tp[code] += 1
        for code in got & dismissed:
            code_fp[code] += 1
        for code in confirmed - got:
            code_fn[code] += 1
        if (got & dismissed) or (confirmed - got):
            errors.append(
                {
                    "case_id": entry["case_id"],
                    "missed": sorted(confirmed - got),
                    "extra": sorted(got & dismissed),
                }
            )
        if entry.get("fine_yuan") is not None:
            fine_n += 1
            fine_ok += _fine_equal(
                result["penalties"]["fine_yuan"], entry.get("fine_yuan")
            )
        if entry.get("decision_date"):
            date_n += 1
            date_ok += result["decision_date"] == entry["decision_date"]
        if entry.get("party"):
            party_n += 1
            party_ok += result["party"] == entry["party"]
    per_code = {}
    for code in FINDING_CODES:
        t, p, m = code_tp[code], code_fp[code], code_fn[code]
        per_code[code] = {
            "support": t + m,
            "predicted": t + p,
            "precision": round(t / (t + p), 4) if t + p else None,
            "recall": round(t / (t + m), 4) if t + m else None,
        }
    tp, fp, fn = sum(code_tp.values()), sum(code_fp.values()), sum(code_fn.values())
    return {
        "documents": len(feedback),
        "fine_exact_match": round(fine_ok / fine_n, 4) if fine_n else None,
        "decision_date_accuracy": round(date_ok / date_n, 4) if date_n else None,
        "party_accuracy": round(party_ok / party_n, 4) if party_n else None,
        "finding_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "finding_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "findings_by_code": per_code,
        "errors": errors,
    }
