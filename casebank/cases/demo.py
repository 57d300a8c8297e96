"""Demo case files for ``flask seed demo``: 20 decisions of the NLP development set
(tests/data/decisions), filed under the demo agencies of 江城市.

Deterministic (fixed file list) and idempotent (the same file is a duplicate the
second time). Skipped when the development set is not in the checkout.
"""

from pathlib import Path

from casebank.cases.intake import Entry
from casebank.cases.services import add_cases

DECISIONS = Path(__file__).resolve().parents[2] / "tests" / "data" / "decisions"

# agency code → decision files
DEMO_CASES = {
    "JC-DH-CG": [f"cg-{n:03d}.txt" for n in range(1, 9)],
    "JC-CG": [f"cg-{n:03d}.txt" for n in range(9, 13)],
    "JC-DH-SJ": [f"sc-{n:03d}.txt" for n in range(1, 5)],
    "JC-HJ": ["st-001.txt", "st-002.txt"],
    "JC-JT": ["jt-001.txt", "jt-002.txt"],
}


def load_demo_cases(orgs: dict, actor, upload_dir: str | None = None) -> int:
    """Add the demo cases that are not there yet; they are pending their check.

    :param orgs: demo organisations by code.
    :param upload_dir: a local folder for the originals; None = the shared storage.
    :return: how many cases were added.
    """
    if not DECISIONS.is_dir():
        return 0
    added = 0
    for code, names in DEMO_CASES.items():
        agency = orgs.get(code)
        paths = [DECISIONS / n for n in names if (DECISIONS / n).is_file()]
        if agency is None or not paths:
            continue
        entries = []
        for path in paths:
            data = path.read_bytes()
            entries.append(Entry(path.name, data=data, text=data.decode("utf-8")))
        batch = add_cases(
            entries, actor, agency=agency, agencies=[agency], upload_dir=upload_dir
        )
        added += batch.imported
    return added
