"""Review one penalty decision: the JSON object of ``flask nlp review``.

The shape of the result is the contract in ``docs/specs/benchmark-catalogue.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from nlp import amounts, sections
from nlp.catalogue import Catalogue, GeneralRule, Item
from nlp.citations import GENERAL_LAWS, find_citations, short_law_name
from nlp.consistency import (
    CasePoint,
    DecisionFacts,
    check,
    hints,
    range_bounds,
    similar_case_finding,
)
from nlp.factors import find_factors, find_factors_by_meaning, find_quantities
from nlp.law_text import statutory_yuan_range
from nlp.laws import LawLibrary
from nlp.matching import Matcher
from nlp.metadata import (
    DateWindow,
    agency_domain,
    decision_date,
    decision_window,
    party_type,
)
from nlp.peers import peer_range
from nlp.tiers import TierChoice, choose_tier, comparison_tier, item_contradicted


@dataclass
class Parsed:
    """Everything parsed from one decision, before matching."""

    source: str
    facts: DecisionFacts
    sections: list
    retrieval_text: str
    focus_text: str
    measures: list[str]
    warning: bool
    confiscation: bool


# Sections that state no circumstance of the case (the factor classifier skips
# them): the decision itself, how to pay and how to appeal.
# (The party and evidence sections are read: without a cue of their own the
# facts fall into them.)
_NO_CIRCUMSTANCES = frozenset(
    {sections.DECISION, sections.PERFORMANCE, sections.REMEDY}
)


class Reviewer:
    """Reviews decisions against catalogues with a law library and an embedder.

    :param catalogues: the catalogues to match against (the one in force on each
        decision's date is used).
    :param laws: the law library (``LawLibrary.default()`` when None).
    :param embedder: an embedder for hybrid matching, or None for TF-IDF only.
    :param threshold: the retrieval threshold (see :mod:`nlp.matching`).
    """

    def __init__(
        self,
        catalogues: list[Catalogue],
        laws: LawLibrary | None = None,
        embedder=None,
        threshold: float | None = None,
        tfidf_weight: float | None = None,
    ):
        self.catalogues = catalogues
        self.laws = laws if laws is not None else LawLibrary.default()
        self._embedder = embedder
        self._options = {}
        if threshold is not None:
            self._options["threshold"] = threshold
        if tfidf_weight is not None:
            self._options["tfidf_weight"] = tfidf_weight
        self._matchers: dict[tuple[int, ...], Matcher] = {}
        self._rules: dict[str, list[GeneralRule]] = {
            c.name: c.general_rules for c in catalogues
        }
        self.corpus: list[CasePoint] = []
        self._points: dict[str, CasePoint] = {}

    @property
    def law_names(self) -> tuple[str, ...]:
        """Names of the laws a decision may cite without 《》: the library's and
        those the catalogues' provisions name (local regulations)."""
        names = getattr(self, "_law_names", None)
        if names is None:
            found = set(self.laws.law_names(include_repealed=True))
            for catalogue in self.catalogues:
                for item in catalogue.items:
                    for provision in (
                        *item.penalty_provisions,
                        *item.violated_provisions,
                    ):
                        found.update(
                            m.group(1) for m in _TITLE_NAME.finditer(provision)
                        )
            names = self._law_names = tuple(sorted(found))
        return names

    # -- parsing ---------------------------------------------------------

    def parse(
        self, text: str, source: str = "", stated_date: date | None = None
    ) -> Parsed:
        """Parse a decision (no catalogue involved).

        :param stated_date: the decision date when known from elsewhere (entered by
            staff in the portal); the text is read otherwise.
        """
        parts = sections.split_sections(text)
        decision_span = sections.section_span(parts, sections.DECISION)

        def section_of(pos: int) -> str | None:
            for part in parts:
                if part.start <= pos < part.end and part.title:
                    return part.name
            return None

        window = decision_window(text, stated_date)
        on = window.reference()
        citations = find_citations(text, section_of, self.law_names)
        statuses = []
        uncertain = []
        replacements = {}
        conduct = _conduct_date(text, parts)
        old_law = {}
        for citation in citations:
            status, repeal = self._status(citation, window)
            statuses.append((citation, status))
            if (
                status == "repealed"
                and conduct is not None
                and conduct < repeal.repealed_on
            ):
                # 行政处罚法第三十七条: the law in force when the conduct took place
                # applies (从旧兼从轻); citing it is not by itself an error.
                old_law[citation.key] = (conduct, repeal)
            straddles = repeal is not None and not (
                (window.low is not None and window.low >= repeal.repealed_on)
                or (window.high is not None and window.high < repeal.repealed_on)
            )
            if straddles:
                uncertain.append((citation, repeal))
            if repeal is not None and (straddles or status == "repealed"):
                replacements[citation.key] = self._replacement_text(citation, repeal)
        penalties = amounts.extract_penalties(text, decision_span)
        facts_text = sections.section_text(
            text, parts, sections.FACTS, sections.VIOLATED, sections.HEADER
        )
        discretion = sections.section_text(
            text,
            parts,
            sections.DISCRETION,
            sections.DECISION,
            sections.BASIS,
            sections.FACTS,
            sections.VIOLATED,
        )
        # Quantities and factors are facts of the case: statute text quoted in the
        # decision ("X第N条规定：…情节严重的，…", 【处罚依据】) and the payment and
        # remedy notices are blanked out (offsets stay valid).
        facts_only = _blank(text, _quoted_spans(text, citations, parts))
        quantities = find_quantities(facts_only)
        factors = find_factors_by_meaning(
            facts_only,
            find_factors(facts_only),
            [
                (part.start, part.end)
                for part in parts
                if part.name in _NO_CIRCUMSTANCES
            ],
        )
        party_span = sections.section_span(parts, sections.PARTY)
        party = party_type(
            text, text[party_span[0] : party_span[1]] if party_span else None
        )
        fine_evidence = "；".join(m.text for m in penalties.fine_mentions)
        facts = DecisionFacts(
            text=text,
            party=party,
            decision_date=stated_date or decision_date(text),
            reference_date=on,
            window=window,
            uncertain_repeals=uncertain,
            replacements=replacements,
            citations=statuses,
            fine_yuan=penalties.fine_yuan,
            fine_evidence=fine_evidence,
            factors=factors,
            quantities=quantities,
            bases=amounts.find_bases(text),
            amount_issues=amounts.check_amount_consistency(text)
            + amounts.payment_issues(text, penalties),
            fine_alternative=penalties.fine_alternative,
            old_law=old_law,
            discretion_text=discretion or text,
            # A condensed 【…】 extract without a 裁量 section does not show whether
            # the original stated reasons, so it cannot show their absence.
            facts_text=facts_only,
            reasoning_visible=not any(p.title for p in parts)
            or any(p.name == sections.DISCRETION for p in parts),
        )
        retrieval = facts_text if len(facts_text) > 40 else text
        return Parsed(
            source=source,
            facts=facts,
            sections=parts,
            retrieval_text=retrieval[:3000],
            focus_text=_conduct_sentence(facts_only) or retrieval[:300],
            measures=penalties.measures,
            warning=penalties.warning,
            confiscation=penalties.confiscation,
        )

    def _status(self, citation, window: DateWindow):
        """The status of a citation on the decision date, as far as it is known.

        :return: (status, repeal) where ``repeal`` is the law's repeal when the law
            was repealed at some time (None otherwise). A repealed law whose repeal
            date falls inside the decision-date window keeps ``in_force`` (the
            presumption) and is reported as a hint, never as a finding.
        """
        args = (citation.law, citation.article, citation.paragraph, citation.item)
        repeal = self.laws.repeal(citation.law)
        if repeal is None:
            return self.laws.citation_status(*args, window.reference()), None
        cut = repeal.repealed_on
        if window.low is not None and window.low >= cut:
            return self.laws.citation_status(*args, window.low), repeal
        if window.high is not None and window.high < cut:
            return self.laws.citation_status(*args, window.high), repeal
        # Unknown or straddling: judge the article the day before the repeal.
        before = date.fromordinal(cut.toordinal() - 1)
        return self.laws.citation_status(*args, before), repeal

    def _replacement_text(self, citation, repeal) -> str:
        """“2026-08-15起由《生态环境法典》取代（相近条文：第1107条）” for messages."""
        before = date.fromordinal(repeal.repealed_on.toordinal() - 1)
        found = self.laws.replacement_articles(citation.law, citation.article, before)
        law = short_law_name(repeal.replaced_by)
        text = f"{repeal.repealed_on.isoformat()}起由《{law}》取代"
        if found and found[1]:
            numbers = "、".join(f"第{n}条" for n in found[1])
            text += f"，内容相近的条文：《{law}》{numbers}"
        return text

    # -- matching and checks ----------------------------------------------

    def matcher_for(self, on: date | None) -> Matcher:
        """The matcher over the items of the catalogues in force on ``on``."""
        active = [i for i, c in enumerate(self.catalogues) if c.in_force_on(on)]
        if not active and on is not None:
            active = list(range(len(self.catalogues)))
        key = tuple(active)
        if key not in self._matchers:
            items: list[Item] = [
                item for i in active for item in self.catalogues[i].items
            ]
            self._matchers[key] = (
                Matcher(items, self._embedder, **self._options)
                if items
                else _NoCatalogue()
            )
        return self._matchers[key]

    def review(self, text: str, source: str = "", use_embedding: bool = True) -> dict:
        """Review one decision and return the spec's JSON object.

        :param text: the decision text.
        :param source: a path or id echoed in ``source``.
        :param use_embedding: False forces TF-IDF-only matching.
        :return: a dict ready for ``json.dumps``.
        """
        parsed = self.parse(text, source)
        return self.review_parsed(parsed, use_embedding)

    def review_with_hints(
        self,
        text: str,
        source: str = "",
        stated_date: date | None = None,
        use_embedding: bool = True,
    ) -> tuple[dict, list[dict]]:
        """Review one decision; also return its hints (提示), which are not findings
        and are not part of the spec's JSON (see docs/nlp.md, "Hints").

        :param stated_date: the decision date when known from elsewhere.
        :return: (the spec's JSON object, hints as finding-shaped dicts with
            severity ``hint``).
        """
        parsed = self.parse(text, source, stated_date)
        return self.review_parsed_with_hints(parsed, use_embedding)

    def review_parsed(self, parsed: Parsed, use_embedding: bool = True) -> dict:
        """Match and check an already parsed decision."""
        return self.review_parsed_with_hints(parsed, use_embedding)[0]

    def review_parsed_with_hints(
        self, parsed: Parsed, use_embedding: bool = True
    ) -> tuple[dict, list[dict]]:
        """Match and check an already parsed decision; (result, hints)."""
        facts = parsed.facts
        citations = [c for c, _ in facts.citations]
        match = self.matcher_for(facts.reference_date).match(
            citations,
            parsed.retrieval_text,
            use_embedding,
            agency_domain(facts.text),
            lambda candidate: item_contradicted(candidate, facts.bases),
            parsed.focus_text,
        )
        item = match.item if match else None
        tier = (
            choose_tier(
                item,
                facts.text,
                facts.factors,
                facts.quantities,
                facts.bases,
                facts.facts_text,
                facts.fine_yuan,
                facts.party,
            )
            if item
            else TierChoice(None, None)
        )
        rules = self._rules.get(item.catalogue, []) if item else _all_rules(self)
        if item is None:
            facts.statutory_text = self._statutory_from_law(facts)
        adjustments: list = []
        findings = check(facts, item, tier, rules, adjustments)
        notes = [h.to_json() for h in hints(facts, item) + adjustments]
        scale = (None, None)
        # The archive comparison's tier when the text decides none, or when the
        # tier was only inferred from the facts or taken by default and the fine
        # lies outside it but inside another tier (the fine is compared with the
        # cases fined in the same range; FINE_OUTSIDE_TIER reports the mismatch).
        compared = None
        if item is not None and facts.fine_yuan:
            low, high = range_bounds(item, tier.level, facts.party, facts.bases)
            outside = tier.how in ("inferred", "default") and (
                (low is not None and facts.fine_yuan < low - 0.005)
                or (high is not None and facts.fine_yuan > high + 0.005)
            )
            if (tier.level is None and not tier.how) or outside:
                by_fine = comparison_tier(
                    item, facts.fine_yuan, facts.party, facts.bases
                )
                compared = by_fine.level if by_fine is not None else None
            # The archive comparison's scale (rates of a stated base preferred).
            scale = peer_range(item, compared or tier.level, facts.party, facts.bases)
            point = CasePoint(
                parsed.source, item.id, tier.level, facts.fine_yuan, low, high
            )
            self._points[parsed.source] = point
            similar = similar_case_finding(point, self.corpus)
            if similar is not None:
                findings.append(similar)
        return {
            "source": parsed.source,
            "decision_date": facts.decision_date.isoformat()
            if facts.decision_date
            else None,
            "party": facts.party,
            "citations": [
                {
                    "text": c.text,
                    "law": self.laws.resolve(c.law) or c.law,
                    "article": c.article,
                    "paragraph": c.paragraph,
                    "item": c.item,
                    "role": c.role,
                    "status": status,
                }
                for c, status in facts.citations
            ],
            "penalties": {
                "warning": parsed.warning,
                "fine_yuan": facts.fine_yuan,
                "confiscation": parsed.confiscation,
                "measures": parsed.measures,
            },
            "match": (
                {
                    "item_id": match.item.id,
                    "score": match.score,
                    "alternatives": [
                        {"item_id": alt.id, "score": score}
                        for alt, score in match.alternatives
                    ],
                }
                if match
                else None
            ),
            "tier": tier.level,
            # The tier's range in yuan for this party and these bases (per-unit
            # and multiple fines converted): the archive comparison's scale.
            "tier_range": {"low": scale[0], "high": scale[1]}
            if scale[1] is not None
            else None,
            # The tier the archive comparison uses when the text decides none (the
            # tier whose range holds the fine); None otherwise. Not in the spec's
            # JSON either (the CLI drops it).
            "comparison_tier": compared,
            "factors": [f.to_json() for f in facts.factors + facts.quantities],
            "findings": [f.to_json() for f in findings],
        }, notes

    def _statutory_from_law(self, facts: DecisionFacts):
        """The fine range of the cited penalty provision, read from the law text.

        :return: (low, high, provision text) when exactly one yuan range can be read
            from the cited paragraph (or the article when no paragraph is cited) of
            the version in force; None otherwise (several ranges, multiples, or a
            law outside the library).
        """
        found = None
        for citation, status in facts.citations:
            if citation.role != "penalty" or status != "in_force":
                continue
            if short_law_name(citation.law) in GENERAL_LAWS:
                continue
            article = self.laws.article(
                citation.law, citation.article, facts.reference_date
            )
            if article is None:
                continue
            text = article.text
            if citation.paragraph and citation.paragraph <= len(article.paragraphs):
                text = article.paragraphs[citation.paragraph - 1]
            rng = statutory_yuan_range(text)
            if rng is None:
                return None
            if found is not None and found[:2] != rng:
                return None  # two provisions, two ranges: cannot tell
            found = (*rng, citation.text)
        return found

    def points(self) -> dict[str, CasePoint]:
        """The cases reviewed so far that have an item and a fine, by source."""
        return dict(self._points)

    def item(self, item_id: str) -> Item | None:
        """The catalogue item with this id, or None."""
        for catalogue in self.catalogues:
            for item in catalogue.items:
                if item.id == item_id:
                    return item
        return None

    def add_to_corpus(self, source: str) -> CasePoint | None:
        """Use the case reviewed as ``source`` as a reference for 同案不同罚.

        :return: the stored point, or None when the case had no item or no fine.
        """
        point = self._points.get(source)
        if point is not None:
            self.corpus.append(point)
        return point


class _NoCatalogue:
    """The matcher when no catalogue applies: citations and amounts are still
    checked, no item is matched."""

    def match(self, *args, **kwargs):
        return None


def _all_rules(reviewer: Reviewer) -> list[GeneralRule]:
    rules: list[GeneralRule] = []
    for catalogue in reviewer.catalogues:
        rules.extend(catalogue.general_rules)
    return rules


_TITLE_NAME = re.compile(r"《([^《》\n]{2,60})》")
_CONDUCT = re.compile(r"[^。\n]{0,120}违反了?[^。\n]{0,80}")


def _conduct_sentence(text: str) -> str | None:
    """The sentence that states the conduct (当事人…的行为，违反了…)."""
    match = _CONDUCT.search(text)
    return match.group(0).strip() if match else None


_QUOTE_START = re.compile(r"\s*(?:的)?(?:规定|明确规定)[：:，,]")
_LOOSE_QUOTE = re.compile(r"\s*[：:，,]")
_STATUTE_LIKE = re.compile(
    r"的[，,](?:由|处|责令|可以|并处|没收|给予|对)|以上[^，。；]{0,12}以下(?:的)?罚款"
)


def _quoted_spans(text: str, citations, parts) -> list[tuple[int, int]]:
    """Spans of statute text quoted in the decision, and of the notices."""
    spans = [
        (p.start, p.end)
        for p in parts
        if p.name in (sections.BASIS, sections.PERFORMANCE, sections.REMEDY)
    ]
    for citation in citations:
        match = _QUOTE_START.match(text, citation.end)
        loose = None if match else _LOOSE_QUOTE.match(text, citation.end)
        if match is None and loose is None:
            continue
        begin = (match or loose).end()
        ceiling = min(len(text), begin + 600)
        stop = text.find("。", begin, ceiling)
        stop = ceiling if stop == -1 else stop
        # “…的规定：” quotes the statute; after “…的规定，” or without 规定 the
        # sentence must read like statute text (…的，处…罚款): "违反了…的规定，且经
        # 责令改正后拒不改正" goes on with the facts.
        colon = match is not None and match.group(0).rstrip()[-1:] in "：:"
        if colon or _STATUTE_LIKE.search(text, begin, stop):
            spans.append((begin, stop))
    return spans


# Dates that are not the conduct's: product dates, validity, deadlines.
_NOT_CONDUCT_DATE = re.compile(
    r"(?:生产|出厂|保质|有效|到期|截止|批号|日期|期限)[^，。；\n]{0,4}$|至$|前$"
)


def _conduct_date(text: str, parts) -> date | None:
    """The earliest date the facts section gives for the conduct (None when the
    decision has no facts section or it gives no full date)."""
    from nlp.metadata import find_dates

    found = []
    for part in parts:
        if part.name not in (sections.FACTS, sections.PARTY):
            continue
        for line in text[part.start : part.end].split("\n"):
            # the facts often open in the party part (2026年7月3日，执法人员巡查发现…)
            if part.name == sections.PARTY and not _CONDUCT_WORDS.search(line):
                continue
            for day, start, _ in find_dates(line):
                if not _NOT_CONDUCT_DATE.search(line[max(0, start - 8) : start]):
                    found.append(day)
    return min(found) if found else None


_CONDUCT_WORDS = re.compile(r"发现|检查|巡查|查获|举报|投诉|违法|经查")


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for index in range(start, min(end, len(chars))):
            if chars[index] != "\n":
                chars[index] = " "
    return "".join(chars)
