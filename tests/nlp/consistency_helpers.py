"""Helpers shared by the pure consistency tests (tests/nlp/test_consistency_round*.py):
the reasons a text states, and peer groups of positions or of reason names."""

from nlp.factors import find_factors
from nlp.peers import PeerPoint, reason_words, stated_reasons


def aggravating(text: str, tier: str = "") -> list[str]:
    """The words of the aggravating reasons ``text`` states (the checker's
    factors found in it, as the portal passes them)."""
    return reason_words(text, find_factors(text), tier=tier)[0]


def mitigating(text: str, tier: str = "") -> list[str]:
    """The words of the mitigating reasons ``text`` states."""
    return reason_words(text, find_factors(text), tier=tier)[1]


def point(case_id: int, position: float, text: str = "") -> PeerPoint:
    """A peer at ``position`` with the flags and names of what ``text`` states,
    as the comparison key stores them."""
    agg, mit, names = stated_reasons(text, find_factors(text))
    return PeerPoint(case_id, position, agg, mit, names)


def points(values) -> list[PeerPoint]:
    """Peers at ``values``, stating nothing."""
    return [PeerPoint(i, v) for i, v in enumerate(values)]


def group(names, size: int = 6, aggravating: bool = True) -> list[PeerPoint]:
    """``size`` ordinary peers (0.3–0.6) that all state the reason ``names``."""
    positions = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.35, 0.42)[:size]
    return [
        PeerPoint(i, p, aggravating, not aggravating, frozenset(names))
        for i, p in enumerate(positions, 1)
    ]
