import subprocess
import sys
import threading

import jieba
import pytest

from nlp import segment


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        (
            "没收违法所得，并处货值金额一倍以上三倍以下的罚款",
            ["没收违法所得", "货值金额"],
        ),
        ("当事人违法所得人民币5000元", ["违法所得"]),
        (
            "依据《城市道路管理条例》第四十二条，责令限期改正",
            ["城市道路管理条例", "责令限期改正"],
        ),
        (
            "违反《大气污染防治法》第二十条，超标排放大气污染物",
            ["大气污染防治法", "超标排放"],
        ),
        (
            "当事人系初次违法，及时改正，适用首违不罚",
            ["初次违法", "及时改正", "首违不罚"],
        ),
        ("工地扬尘污染，建筑垃圾和渣土未覆盖", ["扬尘污染", "建筑垃圾", "渣土"]),
        ("餐饮油烟直排，未明码标价", ["餐饮油烟", "明码标价"]),
        ("网约车非法营运；非法占地；河道采砂", ["网约车", "非法占地", "河道采砂"]),
        (
            "统一社会信用代码：91330000，法定代表人：张某",
            ["统一社会信用代码", "法定代表人"],
        ),
        ("依照行政处罚法从轻处罚或者减轻处罚", ["行政处罚法", "从轻处罚", "减轻处罚"]),
    ],
)
def test_cut_keeps_legal_terms_whole(text, terms):
    """Terms of the legal user dictionary come out as single tokens."""
    tokens = segment.cut(text)
    for term in terms:
        assert term in tokens, (term, tokens)


def test_cut_drops_whitespace_and_handles_empty_text():
    """cut() never returns whitespace tokens; empty text gives no tokens."""
    tokens = segment.cut("责令改正  \n\t 罚款　五千元")
    assert tokens
    assert all(tok.strip() for tok in tokens)
    assert "".join(tokens) == "责令改正罚款五千元"
    assert segment.cut("") == []


def test_words_drop_stopwords_and_punctuation():
    """words() keeps content words only."""
    result = segment.words("当事人的违法所得为5000元，依法予以没收。")
    assert "违法所得" in result
    assert "当事人" in result
    for dropped in ("的", "为", "，", "。", "予以"):
        assert dropped not in result


def test_tokenizer_is_private_and_shared():
    """One private tokenizer per process; jieba's global one is untouched."""
    tk = segment.tokenizer()
    assert tk is segment.tokenizer()
    assert tk is not jieba.dt
    assert jieba.dt.FREQ.get("首违不罚", 0) == 0


def test_tokenizer_is_created_once_under_concurrency(monkeypatch):
    """Threads racing on the first call all get the same instance."""
    monkeypatch.setattr(segment, "_tokenizer", None)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(segment.tokenizer()))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert all(r is results[0] for r in results)


def test_vocabulary_frequencies_merge_base_and_user_dictionary():
    """Base jieba words and user dictionary words, positive frequencies only."""
    freqs = segment.vocabulary_frequencies()
    assert len(freqs) > 300_000
    assert freqs["法律"] > 0
    assert freqs["违法所得"] == 3000
    assert freqs["城市道路管理条例"] == 2000
    assert min(freqs.values()) > 0
    freqs["违法所得"] = 1  # the caller gets a copy
    assert segment.vocabulary_frequencies()["违法所得"] == 3000


def test_userdict_entries_are_well_formed():
    """Every user dictionary line is 'word freq pos' with no duplicates."""
    lines = segment.USERDICT_PATH.read_text(encoding="utf-8").splitlines()
    assert 300 <= len(lines) <= 600
    words = []
    for line in lines:
        word, freq, pos = line.split(" ")
        assert freq.isdigit()
        assert pos.isalpha()
        words.append(word)
    assert len(words) == len(set(words))


def test_segmenting_prints_nothing():
    """Importing and first use write nothing to stdout or stderr."""
    code = "from nlp import segment; segment.cut('没收违法所得')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout == ""
    assert done.stderr == ""
