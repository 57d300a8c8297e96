"""Rebuild ``nlp/resources/reason_phrases_decisions.json`` (reason clauses taken
from the labelled decision sets, format ``zhifa.reason-phrases/1``).

Run from the repository root::

    PYTHONPATH=$PWD python -m nlp.tools.reason_decisions [--check]

Two parts, in this order (each clause carries its ``source``: the set folder
under ``tests/data``):

1. **Consistency sets** (:data:`CONSISTENCY_SETS`): as ``none``, every single
   clause (:func:`nlp.reason_classifier._units` without a comma, procedural
   sentences blanked) of the ordinary and outlier decisions — which state no
   reason of their own, by the sets' design — that no stated-circumstance
   pattern, checker factor or placement word matches and that is not part of a
   control's labelled reason words; as ``aggravating`` / ``mitigating``, the
   controls' labelled reason words (``reason_words``, split at ；, 5–60
   characters), the direction by the control's side of its group (fine per
   base amount above or below the median of the group's ordinary decisions),
   named by the nearest labelled reason (:func:`nlp.reason_classifier.
   canonical_name`).
2. **Checker decision sets** (:data:`CHECKER_SETS`): as ``none``, the single
   clauses no pattern, factor, placement or discretion word matches and that a
   classifier fitted on the writer's, the seed, the round-7 and the part-1
   clauses reads as a reason with less than :data:`SAFE_NEGATIVE` probability
   (a clause read more surely may be a reason the patterns miss: not a safe
   negative).

Texts are compared with their digits replaced by ``#``: a clause already taken
is not taken again. Held-out sets enter only once spent (their figures after
that are not blind): see docs/case-supervision.md ("Seventh round").

The result depends on the patterns and factors of :mod:`nlp.peers` and
:mod:`nlp.factors` at the time it is run; ``--check`` only reports how many
clauses the rebuilt file would add and remove, without writing.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
OUT = ROOT / "nlp" / "resources" / "reason_phrases_decisions.json"
# Development consistency sets and the spent held-out ones (never a blind set).
# Not the spent heldout6 and heldout7: their ordinary decisions state, by
# design, a reason every peer shares (厂界外有居民住宅 in all eight); as none
# those clauses taught the classifier that the reason is no reason, and the
# outlier stating it in its placement (…，依法从重) was no longer explained
# by its peers (tried in the seventh round: heldout7 recall 1.0 → 0.9).
CONSISTENCY_SETS = (
    "consistency",
    "consistency-dev2",
    "consistency-dev4",
    "consistency-heldout",
    "consistency-heldout4",
    "consistency-heldout5",
)
# The checker's development decision sets and its spent held-out ones (as the
# sixth round took them; classes-heldout7 and later are not read).
CHECKER_SETS = (
    "classes-dev",
    "classes-dev2",
    "classes-dev4",
    "classes-heldout",
    "classes-heldout4",
    "classes-heldout5",
    "classes-heldout6",
    "decisions",
    "heldout",
)
# Words that place a fine in its tier (part 1) or state discretion (part 2).
PLACEMENT = re.compile(r"从轻|减轻|从重|顶格|上限|下限|从低|从高|最高|最低")
# (and the cues of a repeat or an act of the party's own accord the factors may miss)
DISCRETION = re.compile(
    PLACEMENT.pattern + r"|鉴于|考虑到|情节|已因|曾因|处罚过|查处过|再次|主动"
)
SAFE_NEGATIVE = 0.95
NONE_NAME = "文书其他"
NOTE = (
    "Clauses of the labelled decision sets, built by nlp/tools/reason_decisions.py "
    "(see its docstring): as none, the single clauses of the ordinary and outlier "
    "decisions of the consistency sets {consistency} that no stated-circumstance "
    "pattern, factor or placement word matches, and the controls' labelled reason "
    "words as aggravating/mitigating; as none, the clauses of the checker's "
    "decision sets {checker} that no pattern, factor, placement or discretion word "
    "matches and that a classifier without them reads as a reason with less than "
    "{safe} probability. Never a blind set."
)


def _key(text: str) -> str:
    return re.sub(r"[\d０-９]+", "#", text)


def _single_clauses(text: str):
    """The single clauses of a decision the reason classifier reads, with at
    least four CJK characters."""
    from nlp.peers import _readable
    from nlp.reason_classifier import _units

    for _, unit in _units(_readable(text)):
        if "，" in unit or "," in unit:
            continue
        if len(re.findall(r"[\u4e00-\u9fff]", unit)) < 4:
            continue
        yield unit


def _plain(unit: str, words: re.Pattern) -> bool:
    """No stated-circumstance pattern, factor or ``words`` in the clause."""
    from nlp.factors import find_factors
    from nlp.peers import _AGGRAVATING_FACTS, _MITIGATING_FACTS

    return not (
        _AGGRAVATING_FACTS.search(unit)
        or _MITIGATING_FACTS.search(unit)
        or words.search(unit)
        or find_factors(unit)
    )


def _side(case: dict, group: dict) -> str:
    """aggravating when the control's fine (per base amount) is at or above the
    median of its group's ordinary decisions, mitigating below."""
    from nlp.reason_classifier import AGGRAVATING, MITIGATING

    def rate(c):
        base = c.get("base_amount")
        return c["fine_yuan"] / base if base else c["fine_yuan"]

    ordinary = [rate(c) for c in group["cases"] if c["kind"] == "ordinary"]
    return AGGRAVATING if rate(case) >= statistics.median(ordinary) else MITIGATING


def consistency_phrases(sets, seen: set[str]) -> list[dict]:
    """Part 1 (see the module docstring)."""
    from nlp.reason_classifier import canonical_name

    labelled, reasons, negatives = [], [], []
    for name in sets:
        data = json.loads((DATA / name / "groups.json").read_text("utf-8"))
        for group in data["groups"]:
            for case in group["cases"]:
                labelled += [
                    w.strip() for w in case.get("reason_words", "").split("；")
                ]
    labelled = [w for w in labelled if w]
    for name in sets:
        folder = DATA / name
        data = json.loads((folder / "groups.json").read_text("utf-8"))
        for group in data["groups"]:
            for case in group["cases"]:
                if case["kind"] == "control_reason":
                    direction = _side(case, group)
                    for words in case.get("reason_words", "").split("；"):
                        words = words.strip()
                        if 5 <= len(words) <= 60 and _key(words) not in seen:
                            seen.add(_key(words))
                            reasons.append(
                                {
                                    "direction": direction,
                                    "reason": canonical_name(words, direction),
                                    "text": words,
                                    "source": name,
                                }
                            )
                    continue
                text = (folder / case["file"]).read_text("utf-8")
                for unit in _single_clauses(text):
                    if not _plain(unit, PLACEMENT):
                        continue
                    if any(unit in w or w in unit for w in labelled):
                        continue
                    if _key(unit) in seen:
                        continue
                    seen.add(_key(unit))
                    negatives.append(
                        {
                            "direction": "none",
                            "reason": NONE_NAME,
                            "text": unit,
                            "source": name,
                        }
                    )
    return reasons + negatives


def checker_phrases(sets, seen: set[str], part1: list[dict]) -> list[dict]:
    """Part 2 (see the module docstring)."""
    from nlp import reason_classifier as rc

    base = []
    for path in (rc.REASON_PHRASES, rc.SEED_PHRASES, rc.ROUND7_PHRASES):
        base += rc.load_reason_phrases(path)
    base += [(p["direction"], p["reason"], p["text"]) for p in part1]
    model = rc.ReasonClassifier(base)
    out = []
    for name in sets:
        candidates = []
        for path in sorted((DATA / name).rglob("*.txt")):
            text = path.read_text("utf-8", errors="ignore")
            for unit in _single_clauses(text):
                if not _plain(unit, DISCRETION) or _key(unit) in seen:
                    continue
                seen.add(_key(unit))
                candidates.append(unit)
        if not candidates:
            continue
        for unit, row in zip(candidates, model.probabilities(candidates), strict=True):
            if max(row) < SAFE_NEGATIVE:
                out.append(
                    {
                        "direction": "none",
                        "reason": NONE_NAME,
                        "text": unit,
                        "source": name,
                    }
                )
    return out


def build(consistency=CONSISTENCY_SETS, checker=CHECKER_SETS) -> dict:
    """The file's content (format ``zhifa.reason-phrases/1``)."""
    from nlp.reason_classifier import FORMAT

    seen: set[str] = set()
    part1 = consistency_phrases(consistency, seen)
    part2 = checker_phrases(checker, seen, part1)
    note = NOTE.format(
        consistency=", ".join(consistency),
        checker=", ".join(checker),
        safe=SAFE_NEGATIVE,
    )
    return {"format": FORMAT, "note": note, "phrases": part1 + part2}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the file, write nothing"
    )
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        old = json.loads(OUT.read_text("utf-8"))["phrases"]
        before = {(p["direction"], p["text"]) for p in old}
        after = {(p["direction"], p["text"]) for p in data["phrases"]}
        print(
            f"{len(after)} clauses: {len(after - before)} new, "
            f"{len(before - after)} gone"
        )
        return
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{OUT}: {len(data['phrases'])} clauses")


if __name__ == "__main__":
    main()
