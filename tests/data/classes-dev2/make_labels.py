"""Writes labels.json for classes-dev2 (format zhifa.labels/1). Decisions written by the
checker2 session before changing the checker for them; see README.md."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CSRL = "城市道路管理条例"
PRICE = "中华人民共和国价格法"
PRICE_RULE = "价格违法行为行政处罚规定"
PQ = "中华人民共和国产品质量法"
XCF = "中华人民共和国行政处罚法"
AIR = "中华人民共和国大气污染防治法"


def c(law, article, role, status, paragraph=None, item=None):
    return {"law": law, "article": article, "paragraph": paragraph, "item": item, "role": role, "status": status}


DOCS = [
    ("d2-01", "城市管理", "2025-06-03", "individual",
     [c(CSRL, 27, "violated", "unknown", item=1), c(XCF, 32, "other", "in_force", item=1), c(CSRL, 42, "penalty", "unknown")],
     1500, "CG-002", "一般", [],
     "C false-alarm class: lawful 减轻 below the 一般 tier (2000–8000), reason (主动消除危害后果) and basis (行政处罚法第三十二条第一项, no brackets) stated → no FINE_OUTSIDE_TIER."),
    ("d2-02", "市场监管", "2025-08-01", "individual",
     [c(PRICE, 13, "violated", "in_force", paragraph=1), c(PRICE, 42, "penalty", "in_force"), c(PRICE_RULE, 13, "penalty", "unknown"), c(XCF, 32, "other", "in_force", item=2)],
     800, "SC-004", "一般", [],
     "C false-alarm class: 从轻 below the 一般 tier (1000–3000) with the basis written in Arabic numerals (《行政处罚法》第32条第2项, 受他人胁迫) → lawful adjustment, no finding."),
    ("d2-03", "交通运输", "2025-09-26", "individual",
     [c("网络预约出租汽车经营服务管理暂行办法", 34, "penalty", "unknown")],
     4000, "JT-001", "较轻", [],
     "C false-alarm class: the penalty provision cited as the whole article (第三十四条) while the item lists 第三十四条第一款第（二）项 — a valid basis, no BASIS_MISMATCH."),
    ("d2-04", "市场监管", "2025-05-20", "individual",
     [c(PQ, 39, "violated", "in_force"), c(PQ, 50, "penalty", "in_force")],
     21420, "SC-010", "一般", [],
     "C false-alarm class: many near amounts (货值12600 = 210×60, 销售收入2160, 成本1980, 违法所得180, 罚款21420 = 12600×1.7, 合计21600) all consistent → no AMOUNT_INCONSISTENT."),
    ("d2-05", "交通运输", "2025-11-04", "organization",
     [c("中华人民共和国道路运输条例", 24, "violated", "unknown"), c("中华人民共和国道路运输条例", 63, "penalty", "unknown")],
     5000, "JT-005", "一般", [],
     "C false-alarm class: 运费4800 = 预付500 + 尾款4300, fine 5000 near the other amounts; all consistent."),
    ("d2-06", "城市管理", "2025-09-08", "organization",
     [c(CSRL, 27, "violated", "unknown", item=6), c(CSRL, 42, "penalty", "unknown")],
     3000, "CG-001", "轻微", [],
     "NO_PENALTY_EXPECTED condition not met: first offence and corrected, but a fallen board damaged an e-bike (harm) → no exemption; 2处 ≤2㎡ → 轻微, 3000 inside."),
    ("d2-07", "市场监管", "2025-06-30", "individual",
     [c("中华人民共和国食品安全法", 67, "violated", "in_force", paragraph=1), c("中华人民共和国食品安全法", 125, "penalty", "in_force", paragraph=1, item=2)],
     20000, "SC-002", "一般", [],
     "NO_PENALTY_EXPECTED control: first offence and corrected, but the text explains in its own words why it is not exempted (危害后果难以认定为轻微，不宜免予处罚)."),
    ("d2-08", "市场监管", "2025-04-28", "individual",
     [c(PRICE, 13, "violated", "in_force", paragraph=1), c(PRICE, 42, "penalty", "in_force"), c(PRICE_RULE, 13, "penalty", "unknown")],
     500, "SC-004", "轻微", ["NO_PENALTY_EXPECTED"],
     "Miss class: 首违不罚 in own words — 此前没有任何价格违法记录 (first), 十分钟内即全部补标价格到位 (corrected), 没有消费者因此多付价款 (no harm); fine 500 without a word on why 33(1) does not apply."),
    ("d2-09", "城市管理", "2025-08-05", "individual",
     [c(CSRL, 27, "violated", "unknown", item=1), c(CSRL, 42, "penalty", "unknown")],
     300, "CG-002", "轻微", ["NO_PENALTY_EXPECTED"],
     "Miss class: 第一次在此摆摊, 劝导后马上收摊撤离 (corrected), 未留下垃圾/没有影响行人通行/未有投诉 (no harm) → 首违不罚 facts; fined 300."),
    ("d2-10", "城市管理", "2025-04-16", "organization",
     [c(AIR, 81, "violated", "in_force", paragraph=1), c(AIR, 118, "penalty", "in_force", paragraph=1)],
     15000, "CG-004", "一般", ["AMOUNT_INCONSISTENT"],
     "Miss class: 大写 壹万贰仟元整 (12000) vs 小写 15000 → AMOUNT_INCONSISTENT; fine from the 小写 figure (dev convention)."),
    ("d2-11", "市场监管", "2025-05-09", "individual",
     [c(PQ, 39, "violated", "in_force"), c(PQ, 50, "penalty", "in_force")],
     24000, "SC-010", "一般", ["AMOUNT_INCONSISTENT"],
     "Miss class: parts do not add up — 违法所得1800 + 罚款24000 = 25800, written 合计26800."),
    ("d2-12", "市场监管", "2025-07-02", "individual",
     [c(PQ, 13, "violated", "in_force", paragraph=2), c(PQ, 49, "penalty", "in_force")],
     16600, "SC-009", "一般", ["AMOUNT_INCONSISTENT"],
     "Miss class: 货值 A 4200 + B 3100 = 7300, written 共计8300 (the fine 16600 = 2 × 8300)."),
    ("d2-13", "城市管理", "2026-09-28", "organization",
     [c(AIR, 70, "violated", "repealed", paragraph=1), c(AIR, 116, "penalty", "repealed")],
     8000, "CG-003", "一般", ["CITATION_REPEALED"],
     "Miss class: dated 二〇二六年九月二十八日 (after the 2026-08-15 repeal) and cites 大气法 → CITATION_REPEALED."),
    ("d2-14", "生态环境", None, "organization",
     [c(AIR, 48, "violated", "repealed", paragraph=1), c(AIR, 108, "penalty", "repealed", item=5)],
     30000, "ST-003", "一般", ["CITATION_REPEALED"],
     "Miss class (repeal by date bounds): no 落款 date, but 立案 2026-09-02 and 送达 2026-10-15 both after the repeal → the decision was certainly made after 大气法 was repealed → CITATION_REPEALED; decision_date null (dev convention: no 落款 date)."),
    ("d2-15", "城市管理", "2025-10-09", "organization",
     [c(CSRL, 27, "violated", "unknown", item=1), c(CSRL, 42, "penalty", "unknown")],
     8000, "CG-002", "一般", [],
     "Boundary class A: no area stated, no tier named; 8000 is the top of 一般 and the bottom of 严重; the facts decide nothing (corrected after being ordered is not enough for 轻微 without the area) → lower tier on the boundary = 一般; reasoning stated (持续时间较长、人流密集) → no finding."),
    ("d2-16", "市场监管", "2025-10-13", "individual",
     [c(PRICE, 13, "violated", "in_force", paragraph=1), c(PRICE, 42, "penalty", "in_force"), c(PRICE_RULE, 13, "penalty", "unknown")],
     3000, "SC-004", "一般", [],
     "Boundary class A: 14个品种 → 一般 (5–20); the text names only the negated neighbour (不属于“严重”情形); 3000 = top of 一般 = bottom of 严重 → 一般, no finding."),
    ("d2-17", "市场监管", "2025-08-28", "organization",
     [c(PRICE, 14, "violated", "in_force", item=4), c(PRICE, 40, "penalty", "in_force"), c(PRICE_RULE, 7, "penalty", "unknown")],
     15000, "SC-005", "一般", [],
     "C false-alarm class: 价格法第四十条 cited without 第一款 (item lists 第四十条第一款); 违法所得6000 × 2.5 = 15000, 合计21000 consistent."),
]


def main():
    docs = []
    for file, domain, when, party, cites, fine, item, tier, findings, note in DOCS:
        docs.append({"file": f"decisions/{file}.txt", "domain": domain, "decision_date": when, "party": party,
                     "citations": cites, "fine_yuan": float(fine), "item_id": item, "tier": tier,
                     "findings": findings, "note": note})
    data = {"format": "zhifa.labels/1",
            "description": "Second development set (checker2): false-alarm and miss classes of issue 14 class C, and tier-boundary decisions (class A). Written before changing the checker.",
            "catalogues": [f"../../../casebank/resources/catalogues/{n}.json" for n in ("chengguan", "shichang", "shengtai", "ziran", "jiaotong")],
            "documents": docs}
    with open(os.path.join(HERE, "labels.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
