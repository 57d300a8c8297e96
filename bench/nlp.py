"""NLP checker benchmarks (issue #3).

- ``review``: decisions reviewed per second on one core after the model is loaded
  (text input: parse, cite-check, match, tier, findings), and the peak RSS of that
  process. Runs in a child process pinned to one CPU.
- ``build_model``: wall time and peak RSS of ``flask nlp build-model`` from the full
  law corpus and the development catalogues.
- ``web_imports_torch``: whether a web process that serves pages has imported torch
  or sentence-transformers (it must not).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import REPO_ROOT

DATA = Path(REPO_ROOT) / "tests" / "data"
CATALOGUES = Path(REPO_ROOT) / "casebank" / "resources" / "catalogues"
FLASK = str(Path(sys.executable).with_name("flask"))

_REVIEW_CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from pathlib import Path
from nlp.catalogue import load_catalogue
from nlp.documents import read_text
from nlp.embedding import get_embedder
from nlp.review import Reviewer
data, model, total = Path(sys.argv[1]), sys.argv[2] or None, int(sys.argv[3])
catalogues = [load_catalogue(p) for p in sorted(Path(sys.argv[4]).glob("*.json"))]
texts = [read_text(p) for p in sorted((data / "decisions").glob("*.txt"))]
t0 = time.perf_counter()
reviewer = Reviewer(catalogues, embedder=get_embedder(model))
for text in texts[:5]:
    reviewer.review(text, "warm-up")
load_s = time.perf_counter() - t0
t0 = time.perf_counter()
for i in range(total):
    reviewer.review(texts[i % len(texts)], str(i))
seconds = time.perf_counter() - t0
print(json.dumps({
    "documents": total,
    "distinct_documents": len(texts),
    "mean_chars": round(sum(map(len, texts)) / len(texts)),
    "load_and_warmup_s": round(load_s, 2),
    "seconds": round(seconds, 3),
    "docs_per_second": round(total / seconds, 1),
    "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    "torch_imported": "torch" in sys.modules,
}))
"""

_WEB_CHILD = r"""
import json, sys
from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
app = create_app(TestConfig)
with app.app_context():
    db.create_all()
    client = app.test_client()
    statuses = [client.get(p).status_code for p in ("/", "/login", "/healthz")]
print(json.dumps({"statuses": statuses,
                  "torch": "torch" in sys.modules,
                  "sentence_transformers": "sentence_transformers" in sys.modules}))
"""


def _child(code: str, *args: str) -> dict:
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false")
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_model(out_dir: str) -> dict:
    """Time ``flask nlp build-model`` as a user runs it."""
    catalogues = sorted(str(p) for p in CATALOGUES.glob("*.json"))
    args = [FLASK, "nlp", "build-model", "--out", out_dir]
    for catalogue in catalogues:
        args += ["--catalogue", catalogue]
    before = os.times()
    start = time.perf_counter()
    subprocess.run(args, cwd=REPO_ROOT, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    after = os.times()
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(
            (after.children_user - before.children_user)
            + (after.children_system - before.children_system),
            1,
        ),
        "peak_rss_mib_children_max": round(peak, 1),
        "catalogues": len(catalogues),
    }


def run(plan: str, progress=print) -> tuple[list[dict], dict]:
    """Run the NLP benchmarks; returns (records, setup) like the other suites."""
    total = 200 if plan == "quick" else 2000
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = os.path.join(tmp, "model")
        progress("nlp: building the domain model …")
        build = build_model(model_dir)
        records.append({"name": "nlp_build_model", **build})
        for label, model in (("tfidf_only", ""), ("hybrid", model_dir)):
            progress(f"nlp: reviewing {total} decisions ({label}) on one core …")
            result = _child(
                _REVIEW_CHILD, str(DATA), model, str(total), str(CATALOGUES)
            )
            records.append({"name": f"nlp_review_{label}", **result})
    progress("nlp: checking that web processes do not import torch …")
    records.append({"name": "web_process_imports", **_child(_WEB_CHILD)})
    return records, {"documents_reviewed": total}
