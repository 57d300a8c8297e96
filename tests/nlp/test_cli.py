"""``flask nlp review`` / ``evaluate`` as users run them, without a database.

The commands run in this process through the application's CLI runner (the same
Click commands, exit codes, stdout and stderr as ``flask nlp …``), not as a new
interpreter each: that paid the application import and the catalogue load per
call. The real ``flask`` executable and ``wsgi.py`` are exercised by the worker
tests (``flask jobs worker`` in tests/portal/test_jobs.py and
tests/casebank/test_case_worker.py); what only a fresh process can show (that
serving pages never imports torch) still runs in one here.
"""

import json
import subprocess
import sys
import traceback
from pathlib import Path
from types import SimpleNamespace

import pytest

from portal import create_app
from portal.config import TestConfig

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CATALOGUES = sorted(
    str(p) for p in (ROOT / "casebank" / "resources" / "catalogues").glob("*.json")
)

REVIEW_KEYS = {
    "source",
    "decision_date",
    "party",
    "citations",
    "penalties",
    "match",
    "tier",
    "factors",
    "findings",
}


_APPS = {}


def flask(*args, model="none"):
    """``flask nlp ARGS`` in this process: the same command, exit code and streams
    (an unexpected exception is a non-zero exit with its traceback on stderr)."""
    if model not in _APPS:
        _APPS[model] = create_app(TestConfig, NLP_EMBEDDING_MODEL=model)
    result = _APPS[model].test_cli_runner().invoke(args=["nlp", *args])
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return SimpleNamespace(
        returncode=result.exit_code, stdout=result.stdout, stderr=stderr
    )


def catalogue_args():
    args = []
    for path in CATALOGUES:
        args += ["--catalogue", path]
    return args


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A prose decision written as UTF-8, GBK and .docx."""
    from docx import Document

    folder = tmp_path_factory.mktemp("docs")
    text = (DATA / "decisions" / "ref-01.txt").read_text(encoding="utf-8")
    (folder / "utf8.txt").write_text(text, encoding="utf-8")
    (folder / "gbk.txt").write_bytes(text.encode("gbk"))
    document = Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(folder / "word.docx")
    return folder


def test_review_prints_the_spec_json(sample):
    """The review JSON has exactly the spec's keys and reads a real extract right."""
    result = flask(
        "review",
        *catalogue_args(),
        "--format",
        "json",
        str(sample / "utf8.txt"),
    )
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)
    assert set(doc) == REVIEW_KEYS
    assert set(doc["penalties"]) == {"warning", "fine_yuan", "confiscation", "measures"}
    assert doc["penalties"]["fine_yuan"] == 100000.0
    cited = {
        (c["law"], c["article"], c["item"], c["role"], c["status"])
        for c in doc["citations"]
    }
    assert ("中华人民共和国大气污染防治法", 99, 3, "penalty", "in_force") in cited
    assert ("中华人民共和国大气污染防治法", 20, None, "violated", "in_force") in cited
    for citation in doc["citations"]:
        assert set(citation) == {
            "text",
            "law",
            "article",
            "paragraph",
            "item",
            "role",
            "status",
        }
    for finding in doc["findings"]:
        assert set(finding) == {"code", "severity", "message", "evidence"}
    for factor in doc["factors"]:
        assert set(factor) == {"kind", "text", "start", "end"}


def test_review_reads_gbk_and_docx_the_same(sample):
    """UTF-8, GBK and .docx versions of one decision give the same review."""
    result = flask(
        "review",
        *catalogue_args(),
        str(sample / "utf8.txt"),
        str(sample / "gbk.txt"),
        str(sample / "word.docx"),
    )
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert len(docs) == 3
    stripped = [
        {k: v for k, v in d.items() if k not in ("source", "factors")} for d in docs
    ]
    assert stripped[0] == stripped[1]
    assert stripped[0]["citations"] == stripped[2]["citations"]
    assert stripped[0]["penalties"] == stripped[2]["penalties"]


def test_unusable_input_fails_with_one_line(tmp_path):
    """A missing file or a bad catalogue exits non-zero with a one-line message."""
    missing = flask("review", *catalogue_args(), str(tmp_path / "nope.txt"))
    assert missing.returncode != 0
    assert missing.stderr.strip().count("\n") == 0
    assert "文件不存在" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "zhifa.benchmarks/1", "name": "x"}', encoding="utf-8")
    result = flask(
        "review",
        "--catalogue",
        str(bad),
        str(DATA / "decisions" / "ref-01.txt"),
    )
    assert result.returncode != 0
    assert "缺少必填字段" in result.stderr


def test_review_with_a_configured_local_model(tiny_model_dir, tmp_path):
    """Any local sentence-transformers directory can be configured for matching."""
    result = flask(
        "review",
        *catalogue_args(),
        str(DATA / "decisions" / "ref-01.txt"),
        model=str(tiny_model_dir),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["match"] is not None
    # The setting is really read: a directory without a model is refused.
    empty = tmp_path / "no-model"
    empty.mkdir()
    refused = flask(
        "review",
        *catalogue_args(),
        str(DATA / "decisions" / "ref-01.txt"),
        model=str(empty),
    )
    assert refused.returncode != 0
    assert "没有句向量模型" in refused.stderr


def test_web_process_never_imports_torch(tmp_path):
    """Serving pages does not import torch or sentence-transformers, nor (at
    start-up) scikit-learn: the similarity hints import it when first used."""
    code = (
        "import sys\n"
        "from portal import create_app\n"
        "from portal.config import TestConfig\n"
        "from portal.extensions import db\n"
        "app = create_app(TestConfig)\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    c = app.test_client()\n"
        "    assert c.get('/login').status_code == 200\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
        "print('sklearn' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split()[:2] == ["False", "False"]
    assert result.stdout.split()[2:] == ["False"]


def test_review_with_a_corpus_flags_inconsistent_penalties(tmp_path):
    """--corpus DIR supplies the similar cases for 同案不同罚, named in the evidence."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("sim-001", "sim-002", "sim-003", "sim-004", "cg-001"):
        source = DATA / "decisions" / f"{name}.txt"
        (corpus / f"{name}.txt").write_text(source.read_text(encoding="utf-8"), "utf-8")
    outlier = DATA / "decisions" / "sim-005.txt"
    usual = DATA / "decisions" / "sim-002.txt"
    result = flask(
        "review",
        *catalogue_args(),
        "--corpus",
        str(corpus),
        str(outlier),
        str(usual),
    )
    assert result.returncode == 0, result.stderr
    flagged, ordinary = json.loads(result.stdout)
    codes = [f["code"] for f in flagged["findings"]]
    assert codes == ["INCONSISTENT_WITH_SIMILAR"]
    assert "sim-001.txt" in flagged["findings"][0]["evidence"]
    assert [f["code"] for f in ordinary["findings"]] == []
