"""What the checker reads of a clause: its circumstance factors by keyword and by
meaning (the rounds' failure-class tests share these two helpers)."""

from nlp.factors import Factor, find_factors, find_factors_by_meaning


def read_factors(text: str) -> list[Factor]:
    return find_factors_by_meaning(text, find_factors(text))


def factor_names(text: str) -> set[str]:
    return {f.name for f in read_factors(text)}
