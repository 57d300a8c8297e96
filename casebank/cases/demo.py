"""Demo case files for ``flask seed demo``: 20 decisions of the NLP development set
(tests/data/decisions), filed under the demo agencies of 江城市, and one peer group
of the 同案不同罚 development set (tests/data/consistency, group g01: ten
CG-002 一般 decisions of 江城市 with an outlier at each end of the tier and two
fines at the ends explained by stated facts), so that a newcomer sees the
comparison with the archive, its chart and its findings on the demo. The
decisions of 东湖区 go to the demo's 东湖区城市管理局; those of districts the demo
does not have go to the city's 城市管理综合行政执法局 (the same city: the same
comparison scope).

Deterministic (fixed file list) and idempotent (the same file is a duplicate the
second time). Skipped when the development set is not in the checkout.
"""

from pathlib import Path

from casebank.cases.intake import Entry
from casebank.cases.services import add_cases

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
DECISIONS = DATA / "decisions"
PEER_GROUP = DATA / "consistency" / "decisions" / "g01"

# agency code → decision files
DEMO_CASES = {
    "JC-DH-CG": [f"cg-{n:03d}.txt" for n in range(1, 9)],
    "JC-CG": [f"cg-{n:03d}.txt" for n in range(9, 13)],
    "JC-DH-SJ": [f"sc-{n:03d}.txt" for n in range(1, 5)],
    "JC-HJ": ["st-001.txt", "st-002.txt"],
    "JC-JT": ["jt-001.txt", "jt-002.txt"],
}
# The peer group (g01), by the agency named in each decision.
PEER_CASES = {
    "JC-DH-CG": ["01.txt", "02.txt", "05.txt", "09.txt"],
    "JC-CG": ["03.txt", "04.txt", "06.txt", "07.txt", "08.txt", "10.txt"],
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
    batches = [(code, DECISIONS, names) for code, names in DEMO_CASES.items()]
    batches += [(code, PEER_GROUP, names) for code, names in PEER_CASES.items()]
    for code, folder, names in batches:
        agency = orgs.get(code)
        paths = [folder / n for n in names if (folder / n).is_file()]
        if agency is None or not paths:
            continue
        entries = []
        for path in paths:
            data = path.read_bytes()
            # Peer-group files are named by their group (g01-05.txt).
            name = path.name if folder == DECISIONS else f"{folder.name}-{path.name}"
            entries.append(Entry(name, data=data, text=data.decode("utf-8")))
        batch = add_cases(
            entries, actor, agency=agency, agencies=[agency], upload_dir=upload_dir
        )
        added += batch.imported
    return added
