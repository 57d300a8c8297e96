"""Comparison of a case with its peers (同案不同罚 across an archive): pure rules.

A *peer group* is every checked case with the same catalogue item, the same tier and
the same comparison scope (city by default). Each case is reduced to a
:class:`PeerPoint`: where its fine sits in its tier's yuan range (``position``, 0 =
bottom, 1 = top; per-unit and multiple fines are converted with the bases stated in
the decision, so a position is the rate relative to its base) and whether it states
aggravating or mitigating reasons.

The outlier rule (documented in docs/case-supervision.md):

* the reference statistics are those of the *other* cases of the group (leave one
  out, so an outlier does not pull its own reference);
* ``median`` and ``MAD`` (median absolute deviation, scaled by 1.4826 to estimate a
  standard deviation) of the peers' positions;
* the case is an outlier when ``|position − median| > max(k × MAD, min_gap)``
  (defaults ``k = 3``, ``min_gap = 0.35`` of the tier's width);
* no verdict below ``min_group`` cases in the group (the case included);
* a high outlier stating an aggravating factor, or a low one stating a mitigating
  factor (or 从轻/减轻 with a basis), is explained and not flagged.

Also here: the 执法人员 / 执法证号 parser for the selective-enforcement report.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.factors import (
    AGGRAVATING,
    MITIGATING,
    MITIGATION_WORD,
    Factor,
    find_factors,
    find_factors_by_meaning,
)

MAD_SCALE = 1.4826
DEFAULT_K = 3.0
DEFAULT_MIN_GAP = 0.35
DEFAULT_MIN_GROUP = 5
# The tier-end rule: a fine within 5 % of a tier end, at least 0.2 of the range
# from the peers' median, in a group where at most 20 % of the peers sit there.
DEFAULT_END = 0.05
DEFAULT_END_GAP = 0.2
DEFAULT_END_SHARE = 0.2
# The near-end rule (small groups: a median and MAD of 4–10 peers are noisy, so
# 3 × MAD rarely excludes anything): a fine in the top or bottom tenth of the
# tier, at least 0.25 from the peers' median and beyond *every* reference peer
# by at least 0.1 of the range (the most extreme peer is the quantile that a
# small group can show; a fine past it by a tenth of the tier is set apart).
DEFAULT_NEAR = 0.10
DEFAULT_NEAR_GAP = 0.25
DEFAULT_CLEAR = 0.10
# Mitigating factors that are stated in almost every decision and do not by
# themselves explain a fine far below the others (plain 配合调查, 如实陈述; an
# active 积极配合 / 主动供述 / 主动提供证据 is a reason, see ``_weak``).
WEAK_MITIGATING = frozenset({"cooperated"})
# No harm (未造成危害后果) is the ordinary state of a decision, often the tier's
# own condition (未造成人身、财产损害，属一般情形): it explains no low fine alone.
ORDINARY_MITIGATING = frozenset({"no_harm"})
_ACTIVE_COOPERATION = re.compile(r"积极|主动")
# Positions are clamped here so a wildly misread amount does not dominate.
POSITION_FLOOR, POSITION_CEILING = -1.0, 2.0
# A reason at least this share of the other peers state explains no outlier.
DEFAULT_SHARED = 0.5
# Marks a weak reason's name ("-~cooperated"): stated, explains nothing alone.
WEAK_MARK = "~"


@dataclass(frozen=True)
class PeerPoint:
    """One checked case of a group, reduced to what the comparison uses."""

    case_id: int
    position: float
    aggravating: bool = False
    mitigating: bool = False
    # the names of the stated reasons, "+name" aggravating, "-name" mitigating
    # (:func:`reason_names`): a reason every other peer states too explains
    # nothing (empty: unknown, the flags alone decide)
    reasons: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """Parameters of the outlier rule (see the module docstring)."""

    min_group: int = DEFAULT_MIN_GROUP
    k: float = DEFAULT_K
    min_gap: float = DEFAULT_MIN_GAP
    end: float = DEFAULT_END
    end_gap: float = DEFAULT_END_GAP
    end_share: float = DEFAULT_END_SHARE
    near: float = DEFAULT_NEAR
    near_gap: float = DEFAULT_NEAR_GAP
    clear: float = DEFAULT_CLEAR


@dataclass(frozen=True)
class Verdict:
    """The comparison of one case with its peers."""

    case_id: int
    group_size: int  # the case included
    median: float | None
    mad: float | None
    threshold: float | None
    deviation: float | None  # position − median (signed)
    direction: str | None  # "high" | "low" | None (not an outlier)
    explained: bool = False
    at_end: bool = False  # flagged by the tier-end or the near-end rule
    # the most extreme reference peer on the case's side (highest for a high
    # case, lowest for a low one): what the near-end rule compared with
    extreme: float | None = None

    @property
    def inconsistent(self) -> bool:
        """An unexplained outlier: the case gets INCONSISTENT_WITH_SIMILAR."""
        return self.direction is not None and not self.explained

    @property
    def lower(self) -> float | None:
        """Lower edge of the band of consistent positions."""
        if self.median is None or self.threshold is None:
            return None
        return self.median - self.threshold

    @property
    def upper(self) -> float | None:
        """Upper edge of the band of consistent positions."""
        if self.median is None or self.threshold is None:
            return None
        return self.median + self.threshold


def position(fine: float | None, low: float | None, high: float | None):
    """Where ``fine`` sits in ``[low, high]``: 0 bottom, 1 top (clamped to −1..2).

    :return: None when the fine or a bound is missing or the range is empty.
    """
    if fine is None or low is None or high is None or high <= low:
        return None
    value = (float(fine) - float(low)) / (float(high) - float(low))
    return max(POSITION_FLOOR, min(POSITION_CEILING, value))


def peer_range(item, level, party, bases) -> tuple[float | None, float | None]:
    """The tier's range in yuan for the archive comparison.

    As :func:`nlp.consistency.range_bounds`, except that when some of the tier's
    rows are rates of a base the decision states (违法所得 × 2–3, 每平方米 …), only
    those rows are used: the fine was set as a rate of that base, so its position
    is its rate's position (a ``yuan`` row for "没有违法所得" would otherwise widen
    the range to nonsense).
    """
    from nlp.consistency import fine_range, range_bounds

    tier = item.tier(level) if item is not None else None
    if tier is None:
        return None, None
    rated = tuple(
        row
        for row in tier.fines
        if row.unit != "yuan" and fine_range((row,), party, bases) is not None
    )
    if rated:
        rng = fine_range(rated, party, bases)
        if rng is not None and rng[1] is not None:
            return rng
    return range_bounds(item, level, party, bases)


# Stated circumstances that justify a fine at the top / bottom of a tier although
# the checker's factor list has no name for them (a decision states facts, not
# labels). Searched in the decision text.
_AGGRAVATING_FACTS = re.compile(
    r"曾(?:于|在)?[^。；]{0,40}?(?:因|被)[^。；]{0,60}?(?:处罚|查处)|"
    r"藏匿|隐匿|逃避(?:监管|检查|执法)|刻意|故意规避|"
    r"(?:学校|小学|中学|幼儿园|医院|居民(?:住宅|小区|楼))[^。；]{0,30}?"
    r"(?:门前|附近|范围内|窗户|正对)|正对[^。；]{0,12}?(?:住宅|居民|窗户)|"
    r"放学|上学时段|"
    r"(?:安全|通行)[^。；]{0,6}?造成(?:了)?(?:影响|隐患|威胁)|遮挡了?[^。；]{0,6}?标志|"
    r"持续(?:近|约|长达)?[\d一二两三四五六七八九十半]+个?(?:多)?(?:月|年)|"
    # repeated complaints (投诉31次, 群众多次投诉) — not the single complaint a
    # case starts from (接到群众投诉)
    r"(?:投诉|举报)[^。；，]{0,8}?(?:\d+|[二两三四五六七八九十几数多]+)(?:次|起|人次)|"
    r"(?:多次|反复|屡次|\d+次|[二两三四五六七八九十]+次)(?:投诉|举报)|"
    # carrying on after a formal order (接到责令改正通知书后继续施工, 无视责令
    # 停止的通知) — not after being dissuaded (经劝阻后继续经营): street
    # violations are written so, it is the group's ordinary case
    r"(?:责令|警告|通知书)[^。；]{0,16}?(?:后|仍|却|依然)[^。；，]{0,3}?"
    r"(?:继续|照常|又)|无视[^。；，]{0,10}?(?:责令|警告|通知)|"
    # spread and vulnerable recipients (销往三个省份, 供应给幼儿园)
    r"销往[^。；，]{0,10}?(?:\d+|[二两三四五六七八九十多]+)个(?:省|市|县|地区|国家)|"
    r"(?:供应|销售|提供|配送)给?[^。；，]{0,8}?(?:幼儿园|中小学|学校食堂|养老院|医院)|"
    # seventh round: institutions for the elderly, children or patients by
    # another name (销售给…养老中心等两家养老机构), and who uses the goods
    # (供卧床老人使用, 供婴幼儿食用)
    r"(?:供应|销售|提供|配送|出售|发放)给?[^。；，]{0,16}?"
    r"(?:养老(?:院|中心|机构|公寓)|敬老院|福利院|托儿所|托育|月子中心|卫生院|诊所)|"
    r"供[^。；，]{0,6}?(?:老人|老年人|婴幼儿|幼儿|儿童|学生|病人|患者|孕妇|孕产妇|残疾人)"
    r"(?:使用|食用|饮用|服用|佩戴|乘坐)|"
    r"涉及(?:消费者|群众|人员)[\d一二三四五六七八九十百]+|"
    r"超过?(?:排放)?标准[\d.]+倍|"
    # 经责令改正后拒不改正 (a fact, not the conditional 逾期不改正的 of a statute)
    r"(?:拒不|仍不|仍未|始终未)(?:改正|整改|拆除|清理|停止|履行)(?![的者])|"
    r"(?<!或者)(?<!或)(?<!首次)第[二三四五六七八九十\d]+次(?:被(?:查处|处罚|查获)|因同类)|"
    r"再次被(?:查处|处罚|查获)|"
    # harm the conduct caused (砸中一名行人，致其左腿骨折; 造成3名消费者腹泻)
    r"(?<![未没无不])(?<!没有)(?:造成|致使?|导致)(?:了)?[^。；，]{0,12}?"
    r"(?:受伤|伤害|骨折|死亡|腹泻|中毒|住院|损坏|损失|交通事故|火灾)|"
    r"(?:砸|撞|烫|刮)(?:中|伤|坏)[^。；]{0,12}?(?:行人|路人|车辆|他人|群众)|"
    # fifth round: a person hurt, told as what happened to them, in a clause
    # after the conduct (沿途遗撒，…一名骑电动自行车的市民在该路段滑倒受伤)
    r"(?:市民|行人|路人|群众|村民|居民|消费者|乘客|顾客|儿童|学生|老人|"
    r"[一二两三四五六七八九十\d]+名)[^。；，]{0,16}?"
    r"(?:滑倒|摔倒|跌倒|绊倒)?(?:受伤|摔伤|骨折|送医|住院|中毒)|"
    # others' land, crops or property damaged (致相邻三户村民约12亩稻田在当年
    # 7月汛期积水受淹, 导致下游鱼塘鱼类死亡)
    r"(?<![未不没导])(?<!没有)(?:造成|致使?|导致)(?:了)?[^。；，]{0,30}?"
    r"(?:受淹|被淹|积水|减产|绝收|枯死|死亡|无法(?:耕种|通行|使用|出行))|"
    r"(?<![未不没])(?<!没有)(?:造成|致使?|导致)(?:了)?[^。；，]{0,14}?"
    r"(?:开裂|倒塌|坍塌|沉降|破损|淹没|停电|停水|断电|中断)|"
    # consequences for others: 学校被迫临时关闭正门, 扰乱客运站运营秩序
    r"被迫[^。；，]{0,8}?(?:关闭|停|中断|绕行|改道|撤离|疏散|搬离)|"
    # (not 扰乱市场秩序: many violations are described so)
    r"扰乱了?[^。；，]{0,12}?(?:运营|营业|教学|医疗|通行|交通|生活|公共|正常|客运|"
    r"乘车|候车|站区|运输)秩序|"
    # a key area the agency names (属于在客运站等重点区域违法经营)
    r"(?:属于|位于|系)[^。；，]{0,16}?重点(?:区域|地区|地段|路段|时段|场所)|"
    r"(?:紧邻|毗邻|紧挨)[^。；，]{0,12}?(?:学校|小学|中学|幼儿园|医院|居民)|"
    # deceiving or obstructing the investigation (towards the agency, so that a
    # violation that is itself a forgery — 篡改监测数据 — is no reason): 向本局提供
    # 了伪造的…证明, 检查时谎称…并删除了电脑中的销售记录, 为逃避处罚转移涉案物品
    r"(?:向(?:本局|本机关|本分局|我局|执法人员|调查人员|办案人员)|"
    r"(?:调查|检查|核查|询问|执法)(?:期间|过程中|时)|为(?:逃避|规避)(?:处罚|检查|调查|查处))"
    r"[^。；]{0,30}?(?:伪造|变造|篡改|编造|虚构|虚假|谎称|删除|销毁|毁灭|隐匿|转移|涂改)|"
    r"谎称|故意隐瞒|拒(?:绝|不)提供[^。；，]{0,10}?(?:账|资料|材料|记录|票据|凭证)|"
    # seventh round: intent and concealment told as facts (为掩盖来源故意不加贴
    # 标签; 进货单据经核实系事后补写) — not intent denied (无主观故意, 并非故意)
    r"为了?(?:掩盖|掩饰|隐瞒)|(?<![无非没])(?<!无主观)(?<!没有)故意(?!规避)|"
    r"(?:单据|票据|凭证|记录|台账|账簿|合同|证明|资料|材料)[^。；，]{0,10}?"
    r"系(?:事后)?(?:补写|补记|补录|补签|补造|伪造|编造|变造|篡改)|"
    r"事后(?:补写|补记|补录|补签|补造|编造)|"
    # carrying on after being caught (被查处后仍继续销售, 执法人员离开后再次占道)
    r"(?:查处|处罚|查获|离开)后[^。；，]{0,6}?(?:仍|又|再次|继续)|累犯|"
    # fifth round: carrying on after the agency pointed the violation out
    # (首次检查时当场指出其价签违法，…次日起仍以同样的虚构原价对外销售)
    r"(?:指出|告知|提醒|明确告诫)[^。；]{0,40}?(?:仍|依然|依旧|照旧|继续)"
    r"(?:以|按|在|对外|销售|经营|使用|施工|排放|运输)|"
    # scale and timing the agency weighs (货值金额高达50万元, 数量巨大, 重大活动
    # 保障期间, 中考期间)
    r"(?:数量|金额|数额|货值|规模)[^。；，]{0,4}?(?:特别)?巨大|"
    r"(?:金额|数额|货值|违法所得)[^。；，]{0,6}?高达|"
    r"(?:重大|重要)活动(?:保障)?期间|(?:中考|高考)期间|"
    # public effect, vulnerable targets
    r"(?:媒体|网络|网民)[^。；，]{0,8}?(?:曝光|报道|转发|热议)|引发[^。；，]{0,8}?(?:舆情|围观|恐慌)|"
    r"(?:针对|面向|专门向|诱骗)[^。；，]{0,8}?(?:老年人|未成年人|中小学生|学生|儿童|残疾人)"
)
_MITIGATING_FACTS = re.compile(
    r"主动(?:供述|交代)[^。；]{0,20}?(?:尚未掌握|其他|另外)|立功表现|"
    r"(?:受|被)(?:他人)?(?:胁迫|诱骗|欺骗|指使|教唆|蒙骗)|"
    r"(?:全部|已|及时|主动)召回|"
    r"(?:当日|当场|即|立即|三日内|及时)[^。；]{0,10}?(?:补齐|整改|改正|安装|封闭|清理|拆除)|"
    # fifth round: a correction of the party's own accord, told as what it did
    # (立案后，当事人主动将露天堆放的废金属屑转入新建的防雨防渗贮存间)
    r"主动[^。；，]{0,30}?(?:转入|转移至|移入|清运|清理|拆除|恢复|整改|改正|补办|"
    r"补建|补齐|修复|封堵|回收|处置)|"
    # 行政处罚法 第三十二条 (从轻/减轻) and 第三十三条 (不予处罚), not an article
    # of the same number of another law (产品质量法第三十二条 is a violation)
    r"行政处罚法》?\s*(?:第(?:三十二|32)条|第(?:三十三|33)条)|"
    # 立功: 协助本局查获了一处无证生产窝点, 检举揭发他人违法行为
    r"(?:协助|帮助|配合)[^。；，]{0,10}?(?:查获|查处|抓获|破获)|检举|揭发|"
    # 主动投案/报告/召回; minors and persons of limited capacity (行政处罚法第三十、三十一条)
    r"主动[^。；，]{0,8}?(?:投案|报告|召回|上缴|退缴)|不满十八周岁|"
    # hardship the agency weighs (低保户, 残疾人, 家庭困难, 年满七十周岁)
    r"低保|特困|残疾人|家庭(?:生活)?(?:特别|十分|较为|确有)?困难|"
    r"年满?[六七八九]十(?:周)?岁|"
    # seventh round: livelihood hardship told as a fact (靠摆摊维持生计, 家中
    # 突遭变故)
    r"(?:靠|依靠|仅靠)[^。；，]{0,8}?(?:维持生计|养家|糊口|度日)|家(?:中|庭)[^。；，]{0,3}?变故|"
    r"(?:尚未完全丧失|限制)(?:辨认|控制)|"
    r"(?<![未不没])(?:主动|积极|及时)[^。；，]{0,16}?(?:消除|减轻)了?(?:违法行为)?(?:的)?"
    r"(?:危害)?(?:后果|影响)|"
    # restitution: 已向顾客全额退还多收的差价, 主动退赔, 赔偿了车主的损失
    r"(?<![未不没])(?:已|主动|全额|全部|及时|积极)[^。；，]{0,10}?(?:退还|退赔|返还|赔偿)(?!的)|"
    # seventh round: a small gain told as a fact (仅收取油费120元, 违法所得仅300元,
    # 获利甚微) — not in a tier that bounds the gain (_GAIN_TIER)
    r"仅(?:收取|获利|获得|赚取|得款|收款|收到|盈利|收入)[^。；，]{0,8}?"
    r"(?:\d|[一二两三四五六七八九十百千几])|"
    r"(?:违法所得|获利|盈利|收入)[^。；，]{0,4}?(?:仅|只有|较少|较小|甚微|微薄|不多)"
)
# A tier whose condition bounds the gain (违法所得5000元以下) is restated by a
# small gain: shared by its peers, no reason for the bottom of it.
_SMALL_GAIN = re.compile(
    r"仅(?:收取|获利|获得|赚取|得款|收款|收到|盈利|收入)|违法所得|获利|盈利|收入"
)
_GAIN_TIER = re.compile(
    r"(?:违法所得|获利|收入|营业额|经营额)[^，,；;。]{0,12}?"
    r"(?:\d[^，,；;。]{0,8}?(?:以下|以内|不足|未满|未超过)|较少|较小|不多|少量|甚微)"
)


# An order or a refusal before the words (责令其退还, 拒不退还): not a reason.
_ORDERED = re.compile(r"责令|要求其|督促|拒不|未能?$")
# A circumstance the decision denies or only supposes is not stated: 本案不属于
# 情节严重, 未达到…, 不存在拒不改正的情形, 如再次违法将从重处罚, or a condition
# quoted from a statute or benchmark (“…拒不改正的”, 拒不改正的，处…).
_DENIED = re.compile(
    r"不属于|不属|未达到?|达不到|不构成|不存在|不具有|不具备|不符合|并非|并不|不是|"
    r"排除|难以认定|无法认定|无证据|未(?:发现|见|查见|查实)|没有(?:发现|证据)|"
    r"未(?:接到|收到|出现|发生|引发)"
)
_DENIED_NEAR = re.compile(
    r"(?:[未无不非没]|没有|尚未|并未|从未)(?:造成|导致|致使?|引起|引发)?了?$"
)
_SUPPOSED = re.compile(r"^\s*(?:如果|如若|倘若|假如|若|一旦|如(?![实下])|否则)")
# What the party only claims (当事人辩称已赔偿…) is no fact of the case.
_CLAIMED = re.compile(r"辩称|申辩称|声称|自称|辩解称?")
_CLAUSE_END = "，,。；;：:\n（("


def _asserted(text: str, start: int, end: int) -> bool:
    """Whether the circumstance at ``text[start:end]`` is stated as a fact of
    the case: not denied (本案不属于情节严重), not supposed (如再次违法…) and not
    quoted as a statute's or benchmark's condition (“…的” / …的，处…)."""
    if not text or start < 0 or end > len(text) or start >= end:
        return True
    floor = max(0, start - 30)
    head = max(text.rfind(c, floor, start) for c in _CLAUSE_END)
    clause = text[max(floor, head + 1) : start]
    if _DENIED.search(clause) or _DENIED_NEAR.search(clause):
        return False
    if _SUPPOSED.search(clause) or _CLAIMED.search(clause):
        return False
    quote = text.rfind("“", floor, start)
    if quote != -1 and text.rfind("”", quote, start) == -1:
        close = text.find("”", end - 1, end + 30)
        if close > 0 and text[close - 1] == "的":
            return False  # “…拒不改正的” quotes a condition
    return not re.match(r"[^，。；\n]{0,6}?的[，,、]", text[end : end + 8])


def reason_flags(
    text: str, factors: Iterable, violation: str = "", tier: str = ""
) -> tuple[bool, bool]:
    """Whether the decision states an aggravating / a mitigating reason.

    The whole decision is read (facts and reasoning): a reason written only in
    the facts (经查…，经责令改正后拒不改正) explains a fine as well as one in the
    discretion paragraph.

    :param factors: the checker's factors, as :class:`nlp.factors.Factor` or as
        their JSON (``{"kind", "text", …}``; the factor name may be in ``name``).
    :return: (aggravating, mitigating).
    """
    aggravating, mitigating = reason_words(text, factors, violation, tier)
    return bool(aggravating), bool(mitigating)


def reason_words(
    text: str, factors: Iterable, violation: str = "", tier: str = ""
) -> tuple[list[str], list[str]]:
    """The words that carry the aggravating / mitigating reasons of a decision.

    :param violation: the matched item's violation (catalogue text): words that
        only restate it (逃避监管 for 通过暗管…等逃避监管的方式排放) are the
        violation itself, not a reason for a fine above the others.
    :param tier: the compared tier's level and condition (``"较轻 两年内首次被
        查处，且接单30单以下"``): a mitigating factor that only restates it
        (首次被查处, 接单数量较少, 情节较轻 in that tier) is why the case is in
        the tier, shared by all its peers, not a reason for the bottom of it.

    :return: (aggravating words, mitigating words), each in textual order and
        without repeats; empty lists when none is stated.
    """
    aggravating, mitigating, _ = _reasons(text, factors, violation, tier)
    return _unique([w for _, w in aggravating]), _unique([w for _, w in mitigating])


def reason_names(
    text: str, factors: Iterable, violation: str = "", tier: str = ""
) -> frozenset[str]:
    """The names of the reasons :func:`reason_words` finds, ``"+name"`` for an
    aggravating one and ``"-name"`` for a mitigating one: a checker factor by its
    name (``+refused_correction``), a stated circumstance by its words with the
    numbers taken out (投诉14次 → ``+投诉#次``), so that two decisions stating
    the same circumstance in the same words share the name."""
    return stated_reasons(text, factors, violation, tier)[2]


def stated_reasons(
    text: str, factors: Iterable, violation: str = "", tier: str = ""
) -> tuple[bool, bool, frozenset[str]]:
    """:func:`reason_flags` and :func:`reason_names` from one reading of the
    text (what a comparison key stores).

    The names also hold the *weak* mitigating factors the decision states
    (plain 配合调查, 未造成危害后果 …), marked ``"-~name"``: they explain nothing
    by themselves, but a peer stating one shares the reason of the same name
    (积极配合调查 in an outlier, 配合调查 in every peer)."""
    aggravating, mitigating, weak = _reasons(text, factors, violation, tier)
    names = frozenset(
        f"{sign}{_canonical(name) or _word_name(words)}"
        for sign, pairs in (("+", aggravating), ("-", mitigating))
        for name, words in pairs
        if words.strip()
    ) | frozenset(f"-{WEAK_MARK}{_canonical(name)}" for name in weak)
    return (
        any(w.strip() for _, w in aggravating),
        any(w.strip() for _, w in mitigating),
        names,
    )


# The checker's factor names as the reason names of the labelled clauses
# (nlp/resources/reason_phrases.json), so a factor and a clause the classifier
# reads as the same kind of reason share one name.
FACTOR_REASONS = {
    "refused_correction": "拒不改正",
    "not_first": "再次违法",
    "repeated": "再次违法",
    "serious_consequence": "后果严重",
    "harm": "后果严重",
    "obstructed": "阻碍执法",
    "eliminated_harm": "消除后果",
    "corrected": "主动改正",
    "cooperated": "积极配合",
    "minor": "涉案数量小",
    "first_offence": "首次违法",
    "no_harm": "未造成危害后果",
}


def _canonical(name: str) -> str:
    return FACTOR_REASONS.get(name, name)


_NUMBER = re.compile(r"[\d.．]+|[零〇一二两三四五六七八九十百千万]+")


def _word_name(words: str) -> str:
    """A circumstance's name: its words, numbers replaced by #, only CJK kept."""
    name = _NUMBER.sub("#", words)
    return re.sub(r"[^\u4e00-\u9fff#]", "", name)[:24]


def _reasons(
    text: str, factors: Iterable, violation: str = "", tier: str = ""
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """(name, words) of each aggravating / mitigating reason (see
    :func:`reason_words`), and the names of the weak mitigating factors stated
    (see :func:`stated_reasons`).

    A checker factor keeps its factor name; a stated circumstance, a stated
    placement and a clause the reason classifier reads as a reason are named by
    the classifier's nearest labelled reason (:func:`nlp.reason_classifier.
    canonical_name`), so two decisions stating one kind of reason in different
    words share the name."""
    from nlp.reason_classifier import AGGRAVATING as UP
    from nlp.reason_classifier import MITIGATING as DOWN
    from nlp.reason_classifier import canonical_name

    text = text or ""
    parsed = [f for f in (_factor(f) for f in factors) if _stated(text, f)]
    aggravating = [(f.name, f.text) for f in parsed if f.kind == AGGRAVATING]
    found = [m for m in _AGGRAVATING_FACTS.finditer(text) if _asserted(text, *m.span())]
    aggravating += [(canonical_name(m.group(0), UP), m.group(0)) for m in found]
    spans = [m.span() for m in found]
    strong, weak = [], []
    for f in parsed:
        if f.kind != MITIGATING:
            continue
        if _weak(f) or _as_ordered(text, f) or _restates_tier(f, tier):
            weak.append(f.name)
        else:
            strong.append(f)
    mitigating = [(f.name, f.text) for f in strong]
    found = [
        m
        for m in _MITIGATING_FACTS.finditer(text)
        if "责令" not in m.group(0)
        and not _ORDERED.search(text, max(0, m.start() - 8), m.start())
        and _asserted(text, m.start(), m.end())
    ]
    if _GAIN_TIER.search(tier or ""):
        found = [m for m in found if not _SMALL_GAIN.match(m.group(0))]
    mitigating += [(canonical_name(m.group(0), DOWN), m.group(0)) for m in found]
    spans += [m.span() for m in found]
    # 从轻/减轻 counts only with a basis that is not boilerplate: a weak factor
    # (配合调查) or none at all (综合考虑违法情节，决定从轻处罚) explains nothing.
    if not mitigating and strong and MITIGATION_WORD.search(text):
        word = next(MITIGATION_WORD.finditer(text)).group(0)
        mitigating = [(_word_name(word), word)]
    for direction, words in _placements(text):
        side = UP if direction == "high" else DOWN
        pair = (canonical_name(words, side), words)
        (aggravating if direction == "high" else mitigating).append(pair)
    counted = {f.name for f in strong} | {
        f.name for f in parsed if f.kind == AGGRAVATING
    }
    classified = _classified(text, parsed, spans, violation, tier, counted)
    for direction, name, clause in classified:
        (aggravating if direction == UP else mitigating).append((name, clause))
    if violation:
        aggravating = [(n, w) for n, w in aggravating if w.strip() not in violation]
    return aggravating, mitigating, weak


# Sentences that state no circumstance of the case: the party block, payment,
# appeal, the officers and their certificates, the evidence list.
_PROCEDURE = re.compile(
    r"申请行政复议|提起行政诉讼|缴纳罚款|加处罚款|执法证|证据(?:有|如下|证实|[：:】])|"
    r"以上事实有|送达|陈述、?申辩|听证|身份证|信用代码|住\s*址|住所|法定代表人|"
    r"负责人[：:]|当事人[：:]|[男女][，,]"
)
_SENTENCE_END = re.compile(r"[。；;\n]")
# Clauses the classifier does not read: statute text (a citation, a condition
# 的), the agency's orders and the party's promises or claims.
_CITED = re.compile(r"《|第[一二三四五六七八九十百\d]+条|[的之]规定|规定的")
_PROMISED = re.compile(
    r"表示将|承诺|保证|愿意|将(?:尽快|立即|于)|辩称|申辩|声称|称其|认为"
)
_ORDER_WORDS = re.compile(r"责令|要求其?|督促|限期|通知其")
_NEGATED_IN = re.compile(
    r"(?:[未无非没]|没有|尚未|并未|从未|不曾)(?:造成|导致|致使?|引起|引发|发现|接到|收到|出现)"
)
# A mitigating act negated (未主动召回, 亦无退赔行为, 没有采取整改措施).
_ACT_NEGATED = re.compile(
    r"(?:未|没有|无|并无|亦无|拒不|不愿|仍未|未能)(?:主动|及时|积极|自行|采取|召回|"
    r"退|赔|改正|整改|拆除|清理|消除|补|恢复|配合|提供|如实|停止|纠正)"
)
# An aggravating circumstance negated (亦未在一年内再次违法, 亦非夜间排放) — not
# a refusal written with a negation (仍未拆除, 逾期未改正, 至今未清理).
_AGG_NEGATED = re.compile(
    r"(?<![仍拒终今直期迟])(?:亦|也|并|从|均|尚)?(?:未|没有|不存在|并非|亦非|也非|不属)"
)
# An order alone (责令改正, 要求其限期拆除) is no refusal: only with what the
# party did after it (责令停止后仍继续施工).
_AFTER_ORDER = re.compile(r"后|仍|拒|逾期|继续|又|却|依然|照常|无视|未")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_CLASSIFIED_CHARS = 4
# Share of a clause's character bigrams found in the violation or the tier's
# condition above which the clause only restates it.
_RESTATED_SHARE = 0.5


def _classified(text, parsed, spans, violation: str, tier: str, counted=()):
    """(direction, canonical name, clause) of each clause the reason classifier
    (:mod:`nlp.reason_classifier`) reads as a reason, behind the vetoes of the
    patterns: asserted (not denied, supposed or quoted as a condition), not
    ordered or promised or claimed, not boilerplate, not restating the
    violation or the compared tier, not a weak factor (plain cooperation, no
    harm, a correction as ordered), and not already carried by a factor or a
    pattern (``spans``)."""
    from nlp.reason_classifier import AGGRAVATING as UP
    from nlp.reason_classifier import default_classifier

    level, _, condition = (tier or "").partition(" ")
    for reason in default_classifier().find(_readable(text)):
        clause, start, end = reason.clause, reason.start, reason.end
        if any(s < end and start < e for s, e in spans):
            continue
        kind = AGGRAVATING if reason.direction == UP else MITIGATING
        inside = [
            f for f in parsed if f.text and (f.text in clause or clause in f.text)
        ]
        if any(f.kind == kind and f.name in counted for f in inside):
            continue  # the factor already speaks for the clause
        if _contradicted(clause, reason.direction == UP):
            continue
        if _CITED.search(clause) or clause.endswith("的") or _PROMISED.search(clause):
            continue
        if _DENIED.search(clause) or _SUPPOSED.search(clause):
            continue
        if _NEGATED_IN.search(clause) or not _asserted(text, start, end):
            continue
        if reason.direction == UP and (
            _AGG_NEGATED.search(clause)
            or (_ORDER_WORDS.search(clause) and not _AFTER_ORDER.search(clause))
        ):
            continue
        if reason.direction != UP and (
            _ORDER_WORDS.search(clause)
            or _ACT_NEGATED.search(clause)
            or _ORDERED.search(text, max(0, start - 8), start)
        ):
            continue
        content = _CJK.findall(_BOILERPLATE.sub("", clause))
        if len(content) < _MIN_CLASSIFIED_CHARS:
            continue
        if len(level) >= 2 and level in clause:
            continue
        if _restates(clause, violation) or _restates(clause, condition):
            continue
        if reason.direction != UP and _only_weak(clause, tier):
            continue
        if (
            reason.direction != UP
            and _GAIN_TIER.search(tier or "")
            and _SMALL_GAIN.search(clause)
        ):
            continue  # a small gain in a tier that bounds the gain
        yield reason.direction, reason.name, clause


def _readable(text: str) -> str:
    """``text`` with the procedural sentences blanked (same length, so spans
    hold)."""
    out, start = [], 0
    for end in [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]:
        sentence = text[start:end]
        out.append(
            re.sub(r"[^\n]", " ", sentence) if _PROCEDURE.search(sentence) else sentence
        )
        start = end
    return "".join(out)


# Factors that state the opposite of an aggravating reason (首次, 未造成危害):
# the classifier misread the clause (两年内首次被查处 is no 再次违法).
_ORDINARY_NAMES = frozenset({"first_offence", "no_harm", "minor"})


def _contradicted(clause: str, aggravating: bool) -> bool:
    """Whether the checker's factors read the clause the other way: an
    aggravating clause stating a first offence, no harm or a minor case, or a
    mitigating clause stating an aggravating factor."""
    found = find_factors(clause)
    if aggravating:
        return any(f.name in _ORDINARY_NAMES for f in found)
    return any(f.kind == AGGRAVATING for f in found)


def _bigrams(text: str) -> set[str]:
    chars = "".join(_CJK.findall(text))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def _restates(clause: str, source: str) -> bool:
    """Whether most of the clause's bigrams are the ``source``'s (the item's
    violation, the tier's condition)."""
    if not source:
        return False
    own = _bigrams(clause)
    return bool(own) and len(own & _bigrams(source)) / len(own) >= _RESTATED_SHARE


def _only_weak(clause: str, tier: str) -> bool:
    """A mitigating clause whose only factors are weak (配合调查, 未造成危害后果),
    ordered or the tier restated."""
    found = find_factors(clause)
    return bool(found) and all(
        _weak(f) or _as_ordered(clause, f) or _restates_tier(f, tier) for f in found
    )


# The agency placing the fine at a tier end *because of* something it states
# (……，本局据此在一般档内按上限处罚; ……，故在本档次内从低处罚): the stated
# circumstance, in the agency's own words, is the reason — unless nothing but
# boilerplate is left of it (综合考虑违法情节，经集体讨论，故顶格处罚).
_PLACEMENT = re.compile(
    r"(?:(?P<high>顶格|从高|从重|按上限|上限|最高限?额?|高限)|"
    r"(?P<low>从低|按低限|低限|按下限|下限|最低限?额?))"
    r"(?=[^。；\n]{0,6}(?:处罚|罚款|确定|裁量|处理|予以|计罚))"
)
_BECAUSE = re.compile(r"据此|故|因此|为此|因而|所以|鉴于|由于|考虑到|基于")
_BOILERPLATE = re.compile(
    r"综合(?:考虑|考量|分析)[^。；，]{0,40}(?:情节|程度|因素|情况|事实|性质|后果)"
    r"(?:等(?:因素|情况))?|"
    r"经[^，。；]{0,12}?(?:集体讨论|讨论|审议|研究|合议)(?:决定)?|"
    r"(?:根据|依据|依照|按照|结合|参照|对照)[^，。；]{0,30}?"
    r"(?:规定|基准|标准|情况|情节|办法|意见|事实)|"
    r"鉴于(?:本案|上述|以上)?(?:违法)?(?:情节|情况|事实)|"
    r"(?:本局|本机关|本分局|我局|本所|本队)(?:认为)?|据此|故|因此|为此|因而|所以|"
    r"决定|在[^，。；]{0,10}?档(?:次)?(?:内|范围内|幅度内)?|当事人的?|违法行为的?|"
    r"予以|作出|对其|处罚|罚款|依法"
)
_MIN_REASON_CHARS = 8


def _placements(text: str):
    """(direction, words) for each stated placement at a tier end with its
    reason (see ``_PLACEMENT``)."""
    for match in _PLACEMENT.finditer(text):
        if not _asserted(text, match.start(), match.end()):
            continue
        head = max(text.rfind(c, 0, match.start()) for c in "。；;\n") + 1
        before = text[head : match.start()]
        because = list(_BECAUSE.finditer(before))
        if not because:
            continue
        # the reason is what precedes the connective (……，据此) or follows a
        # leading one (鉴于……，)
        cut = because[-1]
        reason = before[: cut.start()] if cut.start() > 0 else before[cut.end() :]
        content = re.sub(r"[^\u4e00-\u9fff\d]", "", _BOILERPLATE.sub("", reason))
        if len(content) >= _MIN_REASON_CHARS:
            words = re.split(r"[：:]", reason)[-1]
            words = re.sub(r"[，,\s]*(?:本局|本机关|本分局|我局)?[，,\s]*$", "", words)
            yield ("high" if match.group("high") else "low"), words.strip()[-40:]


# The measures a decision orders (没收尚未售出的涉案产品): what follows them is
# the object of the measure, not a circumstance of the case.
_MEASURE = re.compile(r"没收|处以|并处|吊销|暂扣|扣押|查封")


def _stated(text: str, factor: Factor) -> bool:
    """A factor found where the decision denies or supposes it, or inside an
    ordered measure (mitigating only), is not stated."""
    start, end = factor.start, factor.end
    if text[start:end] != factor.text:
        found = text.find(factor.text) if factor.text else -1
        if found == -1:
            return True
        start, end = found, found + len(factor.text)
    if factor.kind == MITIGATING:
        floor = max(0, start - 12)
        head = max(text.rfind(c, floor, start) for c in _CLAUSE_END)
        if _MEASURE.search(text, max(floor, head + 1), start):
            return False
    return _asserted(text, start, end)


def _unique(words: list[str]) -> list[str]:
    return list(dict.fromkeys(w.strip() for w in words if w.strip()))


_AS_ORDERED = re.compile(r"期限内|按期|如期|逾期前|按(?:照)?(?:要求|规定期限)")


def _as_ordered(text: str, factor: Factor) -> bool:
    """A correction made as the agency ordered it (责令其限期改正，当事人已于期限内
    清理完毕) is the party's legal duty, stated in most decisions: it explains no
    fine at the bottom (unlike one made at once of the party's own accord)."""
    if factor.name != "corrected":
        return False
    if _AS_ORDERED.search(factor.text):
        return True
    start = (
        text.find(factor.text)
        if text[factor.start : factor.end] != factor.text
        else factor.start
    )
    if start < 0:
        return False
    head = text.rfind("。", max(0, start - 60), start) + 1
    before = text[max(head, start - 60) : start]
    return "责令" in before and not re.search(r"当场|当日|立即|主动", factor.text)


# A small quantity (数量较少, 金额较小, 面积不大) restates a tier whose condition
# bounds a quantity from above (接单30单以下, 面积1000平方米以下).
_SMALL_QUANTITY = re.compile(r"数量|数额|金额|面积|范围|规模|次数|货值|时间|期间|单")
_UPPER_BOUND = re.compile(r"\d[^，,；;。]{0,8}?(?:以下|以内|不足|未满|未超过)")


def _restates_tier(factor: Factor, tier: str) -> bool:
    """A mitigating factor that only restates the compared tier: its level's
    name (情节较轻 in 较轻), its condition's cue (首次 for 两年内首次被查处) or,
    for a small quantity, the condition's upper bound (接单30单以下)."""
    if not tier:
        return False
    from nlp.tiers import _CUES

    level, _, condition = tier.partition(" ")
    if len(level) >= 2 and level in factor.text:
        return True
    if any(name == factor.name and cue.search(condition) for name, cue in _CUES):
        return True
    return bool(
        factor.name == "minor"
        and _SMALL_QUANTITY.search(factor.text)
        and _UPPER_BOUND.search(condition)
    )


def _weak(factor: Factor) -> bool:
    """Cooperation, and ceasing the violation (停止违法行为, the party's legal duty
    once ordered), are stated in most decisions: they do not explain a fine at
    the bottom of a tier by themselves."""
    if factor.name in WEAK_MITIGATING:
        return not _ACTIVE_COOPERATION.search(factor.text)
    if factor.name in ORDINARY_MITIGATING:
        return True
    # 系两年内首次: not a repeat within the tiers' repetition window, the
    # ordinary state the tiers presuppose (较重: 两年内第二次), not a reason.
    if factor.name == "first_offence" and _WITHIN_PERIOD.search(factor.text):
        return True
    return factor.name == "corrected" and "停止" in factor.text


_WITHIN_PERIOD = re.compile(r"年内|月内|年以内|月以内")


def _factor(value) -> Factor:
    if isinstance(value, Factor):
        return value
    if not value.get("name"):
        # The stored JSON of a factor has no name: find it again in its own text
        # (by keyword, else by meaning, as the checker found it).
        own = value.get("text", "")
        again = find_factors(own) or find_factors_by_meaning(own, [])
        if again:
            found = again[0]
            return Factor(
                found.kind,
                found.name,
                own,
                value.get("start", 0),
                value.get("end", 0),
            )
    return Factor(
        value.get("kind", ""),
        value.get("name", ""),
        value.get("text", ""),
        value.get("start", 0),
        value.get("end", 0),
    )


def robust_stats(values: list[float]) -> tuple[float, float]:
    """Median and scaled MAD of ``values`` (non-empty)."""
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values) * MAD_SCALE
    return median, mad


def _end(position: float, rule: Rule) -> str | None:
    if position <= rule.end:
        return "low"
    if position >= 1 - rule.end:
        return "high"
    return None


def _reference(values: list[float], rule: Rule) -> list[float]:
    """The peers the median and MAD are taken from: without those at a tier end
    where sitting there is unusual in the group (they are judged by the tier-end
    rule and would only widen the band), unless too few peers remain."""
    ends = [_end(v, rule) for v in values]
    unusual = {
        end
        for end in ("low", "high")
        if ends.count(end) <= rule.end_share * len(values)
    }
    inner = [v for v, end in zip(values, ends, strict=True) if end not in unusual]
    return inner if len(inner) >= max(rule.min_group - 1, 1) else values


def _in_reference(position: float, reference: list[float]) -> bool:
    import bisect

    index = bisect.bisect_left(reference, position)
    return index < len(reference) and reference[index] == position


def _verdict(
    case, size, median, mad, ends, count, rule, span=None, shared=None
) -> Verdict:
    """Apply the outlier rules given the peers' statistics.

    :param ends: {"low": n, "high": n} peers at each tier end (the case excluded).
    :param count: number of peers.
    :param span: (lowest, highest) reference peer (the case excluded), for the
        near-end rule; None skips it.
    """
    threshold = max(rule.k * mad, rule.min_gap)
    deviation = case.position - median
    direction = None
    at_end = False
    if deviation > threshold:
        direction = "high"
    elif deviation < -threshold:
        direction = "low"
    else:
        end = _end(case.position, rule)
        usual = count and ends.get(end, 0) / count > rule.end_share
        if end and not usual and abs(deviation) >= rule.end_gap:
            if (end == "high") == (deviation > 0):
                direction, at_end = end, True
    extreme = None
    if span is not None:
        high_side = deviation > 0
        extreme = span[1] if high_side else span[0]
        beyond = case.position - extreme if high_side else extreme - case.position
        near = (
            case.position >= 1 - rule.near if high_side else case.position <= rule.near
        )
        if (
            direction is None
            and near
            and abs(deviation) >= rule.near_gap
            and beyond >= rule.clear - 1e-9
        ):
            direction, at_end = ("high" if high_side else "low"), True
    explained = (direction == "high" and case.aggravating) or (
        direction == "low" and case.mitigating
    )
    if explained and shared is not None:
        explained = not _only_shared(case, "+" if direction == "high" else "-", shared)
    return Verdict(
        case.case_id,
        size,
        median,
        mad,
        threshold,
        deviation,
        direction,
        explained,
        at_end,
        extreme,
    )


def shared_reasons(
    points: Iterable[PeerPoint], share: float = DEFAULT_SHARED
) -> frozenset[str]:
    """The reason names at least ``share`` of ``points`` state (sixth round:
    half; the fifth round required every one), weak ones included and unmarked
    (``-~cooperated`` counts for ``-cooperated``). A reason most peers state at
    ordinary fines is the group's ordinary case: it explains no fine set apart.
    Empty when no point has names stored (keys stored before the names were).
    O(cases × reasons), no text is read."""
    counts: dict[str, int] = {}
    total = 0
    for point in points:
        total += 1
        for name in {_unmarked(name) for name in point.reasons}:
            counts[name] = counts.get(name, 0) + 1
    if not total:
        return frozenset()
    return frozenset(n for n, k in counts.items() if k >= share * total - 1e-9)


def _unmarked(name: str) -> str:
    return name[0] + name[2:] if name[1:2] == WEAK_MARK else name


def _only_shared(point: PeerPoint, sign: str, shared: frozenset[str]) -> bool:
    """Whether every reason of ``point`` in the direction ``sign`` is one the
    whole group states: it is why the group is what it is (every 违规运输 decision
    of a district states 经劝阻后继续), not why this fine differs. Weak names
    are no reasons of the point (they only count in what the peers share)."""
    own = {name for name in point.reasons if name[0] == sign and name[1:2] != WEAK_MARK}
    return bool(own) and own <= shared


def _explained_end(
    point: PeerPoint, rule: Rule, shared: frozenset[str] = frozenset()
) -> bool:
    end = _end(point.position, rule)
    if end == "high" and point.aggravating:
        return not _only_shared(point, "+", shared)
    if end == "low" and point.mitigating:
        return not _only_shared(point, "-", shared)
    return False


def _ordinary(
    points: list[PeerPoint], rule: Rule, shared: frozenset[str] | None = None
) -> list[PeerPoint]:
    """The peers that show the group's ordinary practice: without those at a tier
    end that state the reason for being there (拒不改正 at the top, 主动消除危害
    后果 at the bottom) — their place is explained, not the norm — unless too
    few peers remain. A reason the whole group states explains no end."""
    if shared is None:
        shared = shared_reasons(points)
    plain = [p for p in points if not _explained_end(p, rule, shared)]
    return plain if len(plain) >= max(rule.min_group - 1, 1) else points


def judge(case: PeerPoint, peers: list[PeerPoint], rule: Rule = Rule()) -> Verdict:
    """Compare ``case`` with ``peers`` (the other cases of its group).

    :return: the :class:`Verdict`; ``direction`` is None below the minimum group
        size or when the case is consistent with its peers.
    """
    points = [p for p in peers if p.case_id != case.case_id]
    size = len(points) + 1
    if size < rule.min_group or not points:
        return Verdict(case.case_id, size, None, None, None, None, None)
    shared = shared_reasons(points)
    others = [p.position for p in _ordinary(points, rule, shared)]
    reference = _reference(others, rule)
    median, mad = robust_stats(reference)
    ends = {"low": 0, "high": 0}
    for value in others:
        end = _end(value, rule)
        if end:
            ends[end] += 1
    span = (min(reference), max(reference))
    return _verdict(case, size, median, mad, ends, len(others), rule, span, shared)


def judge_group(points: list[PeerPoint], rule: Rule = Rule()) -> list[Verdict]:
    """The verdict of every case of one group (leave-one-out statistics).

    Exact (:func:`judge` per case) under 400 cases. Above, the reference median
    is still leave-one-out (removing one value from a sorted list shifts the
    median by at most one rank, O(n log n) for the group) but the MAD is the
    group's: one value changes it by a negligible amount at that size.
    """
    n = len(points)
    if n < rule.min_group:
        return [Verdict(p.case_id, n, None, None, None, None, None) for p in points]
    if n < 400:
        return [judge(p, points, rule) for p in points]
    import bisect

    ordinary = _ordinary(points, rule)
    included = {p.case_id for p in ordinary}
    values = [p.position for p in ordinary]
    reference = sorted(_reference(values, rule))
    _, mad = robust_stats(reference)
    ends = {"low": 0, "high": 0}
    for value in values:
        end = _end(value, rule)
        if end:
            ends[end] += 1
    # every other case states a name iff all cases do (the case states it)
    shared = shared_reasons(points)
    verdicts = []
    for p in points:
        own_end = _end(p.position, rule)
        inside = p.case_id in included
        span = (reference[0], reference[-1])
        if inside and _in_reference(p.position, reference):
            index = bisect.bisect_left(reference, p.position)
            median = _median_without(reference, index, len(reference))
            last = len(reference) - 1
            span = (
                reference[1] if index == 0 and last else reference[0],
                reference[-2] if index == last and last else reference[-1],
            )
        else:
            median = statistics.median(reference)
        peer_ends = dict(ends)
        if own_end and inside:
            peer_ends[own_end] -= 1
        count = len(values) - (1 if inside else 0)
        verdicts.append(
            _verdict(p, n, median, mad, peer_ends, count, rule, span, shared)
        )
    return verdicts


def _median_without(values: list[float], index: int, n: int) -> float:
    """Median of sorted ``values`` with the element at ``index`` removed."""
    m = n - 1

    def at(i: int) -> float:
        return values[i if i < index else i + 1]

    if m % 2:
        return at(m // 2)
    return (at(m // 2 - 1) + at(m // 2)) / 2


# ------------------------------------------------------------ officers (执法人员)

_OFFICER_LINE = re.compile(r"(?:执法人员|承办人员?|办案人员)[：:]\s*([^\n]{2,200})")
_OFFICER = re.compile(
    r"([\u4e00-\u9fa5]{1,3}[某×*]{0,2}[\u4e00-\u9fa5]{0,2})\s*[（(]\s*"
    r"(?:行政)?执法证(?:件)?(?:号|编号)(?:码)?[：:\s]*([A-Za-z0-9\-]{4,30})\s*[）)]"
)


@dataclass(frozen=True)
class Officer:
    name: str
    cert_no: str


def parse_officers(text: str) -> list[Officer]:
    """The handling officers named with their 执法证号 in a decision.

    Accepts ``执法人员：张某某（执法证号：33010023061）、李某某（执法证号…）`` and
    the same on separate lines. Officers without a certificate number are not
    returned (a name alone does not identify an officer).
    """
    found: list[Officer] = []
    seen: set[str] = set()
    for line in _OFFICER_LINE.finditer(text or ""):
        for match in _OFFICER.finditer(line.group(1)):
            name, cert = match.group(1).strip(), match.group(2).strip()
            if cert not in seen:
                seen.add(cert)
                found.append(Officer(name, cert))
    return found
