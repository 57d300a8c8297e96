"""Circumstance factors (裁量情节) and quantities stated in a decision, with spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.numerals import parse_int, parse_number

MITIGATING = "mitigating"
AGGRAVATING = "aggravating"
QUANTITY = "quantity"

# A negation right before a mitigating statement (未及时改正, 并非初次违法). It is
# checked on each match (find_factors) rather than written into the patterns as
# lookbehinds: a pattern that starts with a literal lets the regex engine skip
# ahead to its first characters, which keeps the scan fast.
_NEG = ""
_NEG_BEFORE = re.compile(r"(?:[未不非无没]|没有|并非|不属|不是)$")
_NEG_CHECKED = frozenset(
    {"first_offence", "eliminated_harm", "corrected", "cooperated", "minor"}
)

# Words that put a clause in the negative (未…, 没有…, 并非…) and that turn a
# statement into an order, a possibility or a condition (责令…, 可能…, 应当…).
_NEG_WORDS = r"未|没有|并未|尚未|从未|未曾|不曾|均未|也未|亦未|无|不"
# Correction verbs: what a party does to put a violation right.
_FIX = (
    r"(?:改正|整改|纠正|拆除|撤除|清理|清除|清运|清扫|清洗|恢复(?:原状|原貌|原样|通行|正常)?|补办|补正|补标|补齐|"
    r"补设|补种|补录|补建|下架|召回|停止|关停|撤离|搬离|移走|移除|驶离|收摊|删除|撤下|"
    r"撤回|更正|更换|维修|修复|覆盖|退还|退赔|销毁|封存|消除|"
    r"搬走|挪走|撤走|清退|复绿|回填|撤掉|拆掉|移开|推离|搬回|收回|拿走|挪开|清走|收起|"
    r"取下|摘除|摘下|熄灭|封堵|冲洗|冲刷|打扫|补上|标上|贴上|挂上|"
    # an overload taken off: 卸下超载货物, 将超出部分转载至另一车辆
    r"卸载|卸下|卸除|转载|倒载|减载|"
    # a missing document produced: 随即让家人送来了证件原件, 当场补交了许可证
    r"送来|取来|拿来|"
    # 补 + what was missing: 补挂价签, 补全台账, 补填记录, 补贴标识, 补交材料
    r"补(?:挂|全|填|写|记|登|充|报|交|签|做|制|画|划|刷|装|贴|印|发|开|领|缴))"
)
# Harm words: what a violation may cause.
_HARM = (
    r"(?:危害|后果|损失|损害|污染|伤亡|事故|伤害|受伤|不良|隐患|人身|财产|影响|"
    r"不适|纠纷|危险|拥堵|堵塞|阻塞|受阻|阻碍|不便|扰民|腹泻|中毒|骨折|死亡|住院|患病)"
)
_SERIOUS = r"(?:严重|重大|较大|恶劣|特别|巨大|极大)"

# (name, kind, pattern). Order matters: earlier patterns claim their span first.
# Polarity is checked per clause afterwards (see find_factors): a mitigating
# statement inside a negated, ordered, conditional or quoted clause is not a fact.
_FACTOR_PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (name, kind, re.compile(pattern))
    for name, kind, pattern in (
        (
            "no_harm",
            MITIGATING,
            # 未造成危害后果, 没有对周边环境产生不良影响, 未给消费者造成经济损失
            # (not 未造成严重后果: "not serious" is not "none")
            r"(?:没有|并未|尚未|均未|也未|亦未|未曾|不曾|未|无)(?:有|再)?(?:因此|因而|从而)?"
            r"(?:(?:对|给|向|使|令)[^，。；\n]{0,14}?)?"
            r"(?:造成|产生|导致|引起|引发|带来|出现|形成|发生|构成)(?:了|过)?"
            r"(?!" + _SERIOUS + r")(?:任何|实际|明显|直接|不良|一定)?的?"
            # (未引起行人通行受阻或者其他纠纷: the effect may be named at length)
            r"[^，。；\n但却]{0,10}?" + _HARM + r"|"
            r"危害后果(?:较为|较|十分|极其|极为|相对)?轻微|(?:社会)?危害(?:性|程度)?(?:较|很|极|相对)?(?:小|轻)|"
            r"(?:影响|损害|损失)(?:程度|范围)?(?:较为|较|很|极|相对|十分)(?:小|轻微|有限)|"
            r"无(?:任何)?(?:危害后果|实际危害|人员伤亡|人员受伤|安全事故)|"
            r"(?:没有|未|无)(?:人员)?(?:受伤|伤亡)|"
            r"(?:未|没有)(?:受到|遭受)[^，。；\n]{0,4}?(?:影响|损害|污染|破坏)|"
            r"(?:尚未|未|没有)(?:对外)?(?:售出|销售|出售|卖出|售卖|流入市场|流入社会|流向市场|流出|投入使用|使用)|"
            # 路灯杆完好、未受损坏; 未多收价款, 结算价格一致
            r"(?:未|没有|并未|均未)(?:受到?|遭到?|被)?(?:损坏|损毁|破坏|毁损|损伤)|完好(?:无损)?(?!率)|"
            # the trace of an effect looked for and not found (未发现渗漏或者污染痕迹,
            # 经巡查未见损坏, 未检出超标): harmlessness as the absence of a specific effect
            r"(?:未|没有|均未|并未|也未|亦未)(?:发现|见|检出|监测到|查见|出现)(?:有|任何)?"
            r"[^，。；\n但却]{0,12}?(?:污染|泄漏|渗漏|遗撒|散落|外溢|溢流|损坏|破损|异味|隐患|积水|超标|"
            r"掉落|洒落|撒漏|滴漏|抛洒|飘散|扬尘)|"
            # the effect named right after the negation, no verb (路口无拥堵、无事故,
            # 往来行人都没有受阻, 未发生纠纷)
            r"(?:没有|未|无|并未|均未|也未|亦未)(?:发生|出现|造成|引发)?(?:任何)?"
            r"(?:拥堵|堵塞|阻塞|受阻|事故|纠纷|遗撒|掉落|洒落|撒漏|伤亡|受伤)"
            # (not a circumstance of the act: 在并无事故等紧急情况的情况下开启排放阀)
            r"(?![^，。；\n]{0,10}?(?:情况下|情形下|的时候))|"
            # what the violation could have taken was not taken (盲道未被占用)
            r"(?:未|没有|并未|均未|也未|亦未)(?:被|受到?)(?:占用|占压|挤占|堵塞|堵住|遮挡|阻断)(?!的)|"
            # what was published or sold reached no one else (未在网络、报刊或其他场所发布,
            # 未通过其他渠道传播; as 尚未对外销售)
            r"(?:未|没有|并未|均未|也未|亦未)(?:在|通过|向)[^，。；\n]{0,12}?"
            r"(?:发布|传播|散发|投放|刊登|刊播|播放)|"
            # 未阻碍行人通行, 没有挡住消防通道
            r"(?:未|没有|并未|均未|也未|亦未)(?:阻碍|妨碍|阻挡|挡住|堵住|堵塞|阻塞|占压)"
            r"[^，。；\n]{0,12}|"
            # 未影响楼顶消防通道, 没有影响周边住户 (not 不影响…的认定: a legal point)
            r"(?:未|没有|并未|均未|也未|亦未)(?:因此|因而)?影响"
            r"(?![^，。；\n]{0,12}?(?:认定|定性|成立|处罚|适用))[^，。；\n]{0,12}|"
            r"(?:未|没有|并未|均未|无)(?:向[^，。；\n]{0,8}?)?(?:多收|多付|多计|多扣|多收取)|"
            r"(?:结算|实际收取|收取)的?(?:价格|金额|费用)[^，。；\n]{0,14}?(?:一致|相符|相同)|"
            # harmlessness in the agency's words: 没有消费者因此多付价款, 未影响行人通行,
            # 未有群众投诉
            r"(?:没有|未|无)(?:有|接到|收到|发现)?[^，。；\n]{0,8}?(?:多付(?:价款|费用)?|多收|"
            r"影响(?:行人|车辆|交通|通行|周边|他人|居民|正常)|(?:群众|居民|消费者|他人)?投诉(?!举报后))",
        ),
        (
            "refused_correction",
            AGGRAVATING,
            r"拒不(?:履行|配合整改|"
            + _FIX[3:-1]
            + r")|逾期(?:仍)?(?:未|不)(?:改正|整改|拆除|停止|清理|补办)|"
            r"未按(?:期|要求|规定期限)(?:改正|整改)|(?:经|被)责令.{0,12}?(?:后)?仍(?:未|不|继续)|"
            r"(?:经|被)责令[^。；\n]{0,16}?(?:后|以后)[^。；\n]{0,6}?(?:仍然|依然|仍|继续|还在)|"
            # 至今仍未拆除, 始终未予整改, 逾期后才清理完毕
            r"(?:仍然|仍|至今|始终|一直|迟迟)(?:仍)?(?:未|没有|不)(?:予|能|按要求)?"
            + _FIX
            + r"|"
            r"期限?内(?:仍)?(?:未|没有|未能)(?:完成|按要求)?" + _FIX + r"|"
            r"拒绝(?:" + _FIX[3:-1] + r")|"
            # 接到通知后仍继续施工, 经劝阻后还在经营
            r"(?:通知|责令|告知|制止|劝阻|劝导|指出|要求)[^。；\n]{0,12}?(?:后|以后)[^，。；\n]{0,4}?"
            r"(?:仍然|依然|仍|还|又)(?:在|继续)?(?:施工|建设|经营|排放|生产|营业|销售|摆摊|占用|违法)|"
            r"逾期(?:后|以后)?(?:才|方)|(?:直到|直至|迟至|拖至|拖延至)[^，。；\n]{0,16}?(?:才|方)|"
            # 至调查结束仍在原址经营
            r"(?:至今|至[^，。；\n]{1,8}?(?:时|止|结束|终结))[^，。；\n]{0,8}?(?:仍|依然|继续)(?:在)?"
            r"[^，。；\n]{0,6}?(?:经营|施工|建设|排放|生产|营业|销售|摆摊|占用)",
        ),
        (
            "not_first",
            AGGRAVATING,
            r"(?:不属于|并非|不是|不系|非)(?:其)?(?:初次|首次|第一次)(?:违法)?|(?:不属于|不符合|不适用)首违|"
            r"(?<![无没未])(?<!不曾)(?<!未曾)有(?:过)?[^，。；\n无没未]{0,10}?(?:违法|违规|处罚)"
            r"(?:记录|前科|历史)|"
            r"(?<![无没未])(?<!不曾)(?<!未曾)有前科",
        ),
        (
            "first_offence",
            MITIGATING,
            _NEG
            + r"(?:系|属于?|为|是)(?:其|当事人)?(?:初次|首次|第一次)|"
            + _NEG
            + r"(?:初次|首次|第一次)(?:违法|实施|被查|违反|从事|经营|在|因|发生|出现|占道|摆摊)|"
            + _NEG
            + r"初犯|"
            # 此前从未因此类行为被处罚过, 未受过行政处罚
            r"(?:从未|未曾|不曾|没有|未)(?:因[^，。；\n]{0,16}?)?(?:受到?过?|被)"
            r"[^，。；\n]{0,10}?(?:行政)?(?:处罚|查处|处理|罚)|"
            # 无同类违法记录, 没有任何价格违法记录, 查无违法信息
            r"(?:无|没有|未发现|未查询到|未查到|查无|查不到|查询不到|未见|不存在|"
            r"(?:从|并|均)?未(?:曾)?有过?|不曾有过?)"
            r"(?:其|当事人)?(?:任何|有)?"
            # 违法建设记录, 交通违法记录, 违法经营的记录
            r"[^，。；\n]{0,8}?(?:违法|违规|处罚|不良)[^，。；\n]{0,4}?的?"
            r"(?:记录|前科|信息|历史|行为记录|先例)|"
            # 此前未发现其有违法行为; 自2019年开业以来，本局未发现其有其他违法行为
            r"(?:此前|以往|之前|既往|过去|以来|年来|历年|至今)(?:[^。；\n]{0,12}?)?"
            r"未(?:发现|查到|查询到)(?:其|当事人)?有?过?"
            r"(?:同类|类似|其他|任何)?(?:违法|违规)[^，。；\n]{0,4}?行为",
        ),
        (
            "eliminated_harm",
            MITIGATING,
            _NEG + r"主动(?:消除|减轻)(?:或者?减轻)?了?(?:违法行为)?(?:的)?危害后果|"
            r"积极(?:采取措施)?(?:消除|减轻)了?(?:违法行为)?(?:的)?(?:危害)?后果|"
            # 积极采取措施消除了违法行为的危害后果 / 主动…，消除了危害后果
            + _NEG
            + r"(?:主动|积极|及时)[^，。；\n]{0,16}?(?:消除|减轻)了(?:违法行为)?(?:的)?危害后果",
        ),
        (
            "corrected",
            MITIGATING,
            _NEG
            + r"(?:及时|立即|当场|主动|已经?|自行)(?:予以)?(?:改正|整改|纠正|拆除|清理|清除|"
            r"停止(?:违法行为)?)(?:完毕|到位)?|整改(?:完毕|到位|完成)|完成(?:了)?整改|"
            # the time the correction took: 整改用时约五分钟, 清理耗时半小时
            r"(?:整改|改正|纠正|清理|拆除)(?:共)?(?:用时|耗时|历时)|"
            # 十分钟内即…补标价格到位, 劝导后马上收摊撤离, 当日即恢复原状, 已将…拆除
            + _NEG
            + r"(?:当日|当天|当场|当即|次日|第二天|随即|随后|马上|立即|立刻|迅速|很快|便|即|已经|已|"
            r"主动|自行|及时|(?:在|于)[^，。；\n]{0,10}?期限?内|"
            # 十分钟内…, 约四十分钟后…, 两小时之内…
            r"(?:[一二三四五六七八九十两\d]+个?半?|半个?)(?:日|天|小时|钟头|分钟|个工作日)"
            r"(?:内|之内|以内|后|之后)[，,]?)"
            # the party acts, not the agency (当场责令其限期改正 is an order)
            # (not 又/再次: 十分钟后又恢复摆摊 is the violation again)
            r"(?:(?!责令|要求|通知|督促|告知|应当|应于|须|必须|未|没有|不|将于|承诺|保证|表示|计划|拟|准备|"
            r"又|再次|才)[^，。；\n《]){0,20}?" + _FIX,
        ),
        (
            "corrected",
            MITIGATING,
            # what the party did once told (经民警指出，当事人在路口东侧将多装的水泥
            # 卸下; 执法人员告知后，摊主把货物搬回店内): the party acts in the next clause
            r"(?:经[^，。；\n]{0,8}?(?:指出|提醒|告知|劝导|劝阻|说明)[，,]|"
            r"(?:指出|提醒|告知|劝导|劝阻|说明)[^，。；\n]{0,12}?(?:后|之后)[，,]?)"
            r"(?:当事人|其|该[^，。；\n]{0,4}?|摊主|车主|驾驶员|驾驶人|经营者|[^，。；\n]{1,3}某某)"
            r"(?:(?!责令|要求|通知|督促|告知|应当|应于|须|必须|未|没有|不|将于|承诺|保证|表示|计划|拟|准备|"
            r"又|再次|才|仍|继续)[^，。；\n《]){0,30}?" + _FIX,
        ),
        (
            "cooperated",
            MITIGATING,
            _NEG
            + r"(?:积极|主动)?配合(?:调查|执法|行政机关|检查|查处)|如实(?:陈述|交代|供述|说明)|"
            r"主动(?:供述|提供(?:证据|材料)|交代)|认错态度(?:较)?好|主动认错",
        ),
        (
            "minor",
            MITIGATING,
            _NEG
            + r"(?:情节|违法行为|违法情节|违法程度|违法情形)(?:显著|较为|十分|非常|相对|比较)?(?:轻微|较轻)|"
            + _NEG
            + r"(?:属于?|系)(?:显著)?轻微违法|轻微违法行为|"
            # 数量很少, 涉案金额较小, 持续时间较短
            r"(?:涉案)?(?:数量|金额|货值|规模|范围|持续时间)(?:仅|也)?(?:很|较|极|非常|十分|相对)"
            r"(?:少|小|短)",
        ),
        (
            "repeated",
            AGGRAVATING,
            r"(?:[一两二三四五六七八九十半\d]+个?(?:年|月))内(?:第[二三四五六七八九十\d]+次|(?:多|再|又)次)|"
            # (not the agency's own visits: 执法人员多次回访, 经多次劝导)
            r"(?<![初首])多次(?!(?:到场|前往|上门)?(?:巡查|检查|回访|复查|走访|核查|抽查|劝导|劝说|"
            r"劝阻|督促|催告|通知|联系|告知|约谈|现场))|"
            r"屡次|再次违法|又一次|曾因.{0,20}?(?:受到?|被).{0,6}?(?:行政)?处罚|"
            r"(?<![未从不])曾(?:于[^，。；\n]{0,14}?)?(?:因|被)[^，。；\n]{0,24}?(?:处罚|查处|警告|罚款)|"
            # 系第二次被查处 / 本次系第三次违法 (not 首次或者第二次 quoted from a tier)
            r"(?<!或者)(?<!或)(?:系|为|属|是|此次系|本次系)?第[二三四五六七八九十\d]+次"
            r"(?:被(?:查处|处罚|查获)|因同类|违法|实施|违反)|再次被(?:查处|处罚|查获)|"
            r"(?:已|已经)?被(?:查处|处罚)(?:过)?[两二三四五六七八九十\d]+次|"
            # 以前被我局处理过两次, 去年已因同样的问题被罚款
            r"(?:此前|以前|之前|曾经?|去年|上年|前年)[^，。；\n未没不无从]{0,12}?"
            r"(?:被|受到?过?)[^，。；\n未没不无]{0,8}?(?:处罚|查处|处理|罚款|警告)",
        ),
        (
            "serious_consequence",
            AGGRAVATING,
            r"(?<![未没无不])(?<!没有)造成(?:了)?(?:严重|重大|较大|恶劣)的?(?:[^，。；\n]{0,12}?)"
            r"(?:后果|损失|影响|污染|事故)|社会影响恶劣|情节(?:特别)?严重(?!的)",
        ),
        (
            "harm",
            AGGRAVATING,
            # harm stated affirmatively, not serious: 造成了危害后果, 致使…受到污染,
            # 给消费者造成经济损失 (negated, possible or conditional mentions are not)
            r"(?:造成|导致|引起|致使|致)(?:了)?(?!轻微|较小|少量)[^，。；\n]{0,10}?"
            r"(?:危害后果|后果|损失|损害|污染|伤害|受伤|伤亡|事故|不适|不良影响|腹泻|中毒|"
            r"骨折|死亡|住院|患病|拥堵|堵塞)|"
            r"危害后果(?:较大|较重|明显|不轻)",
        ),
        (
            "obstructed",
            AGGRAVATING,
            # obstructing the agency, not traffic (未阻碍行人通行 is harmlessness)
            r"(?:阻碍|阻挠|妨碍)[^，。；\n]{0,6}?(?:执法|调查|检查|公务|工作人员|民警|取证|查处)|"
            r"暴力抗法|拒绝(?:接受)?(?:调查|检查)|隐匿|销毁证据|伪造(?:证据|材料)",
        ),
    )
)

_QTY_NUM = (
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?)"
)
# (canonical unit, spellings, scale). Longest spellings are tried first, so 平方米
# wins over 米 and 个品种 over 个. Quantities and benchmark conditions use the same
# table, so a condition "5个以上20个以下品种" compares with "未明码标价商品3个品种".
UNITS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("平方米", ("平方米", "平米", "㎡", "m²", "m2", "平方"), 1.0),
    ("平方米", ("亩",), 666.67),
    ("立方米", ("立方米", "m³"), 1.0),
    ("种", ("个品种", "品种", "种"), 1.0),
    ("人次", ("人次",), 1.0),
    ("人", ("名乘客", "名", "人"), 1.0),
    ("处", ("处",), 1.0),
    ("块", ("块",), 1.0),
    ("单", ("单",), 1.0),
    ("吨", ("吨",), 1.0),
    ("公斤", ("公斤", "千克", "kg"), 1.0),
    ("辆", ("辆",), 1.0),
    ("台", ("台",), 1.0),
    ("小时", ("小时",), 1.0),
    ("天", ("天", "日"), 1.0),
    ("%", ("%", "％"), 1.0),
    ("件", ("件", "盒", "袋", "瓶", "箱"), 1.0),
    ("株", ("株", "棵"), 1.0),
    ("头", ("头", "只"), 1.0),
    ("米", ("米",), 1.0),
    ("个", ("个",), 1.0),
)
_SPELLING = {
    spelling: (unit, scale)
    for unit, spellings, scale in UNITS
    for spelling in spellings
}
UNIT_PATTERN = "|".join(re.escape(s) for s in sorted(_SPELLING, key=len, reverse=True))


def canonical_unit(spelling: str) -> tuple[str, float] | None:
    """Map a unit as written (亩, ㎡, 个品种 …) to (canonical unit, scale)."""
    return _SPELLING.get(spelling)


# A quantity never starts in the middle of a number or a date (3月29日).
_START = r"(?<![\d.,零〇一二两三四五六七八九十百千万月年第])"
# "5平方米以上10平方米以下" quotes a benchmark condition; it is not a fact.
_CONDITION_AFTER = r"(?!\s*(?:（含）)?(?:以上|以下|以内|至|到|－|-|～|~))"
_GENERIC = re.compile(
    # a bound (不足十平方米, 未达到五处) is not the quantity itself
    r"(?<!不足)(?<!未达)(?<!达到)(?<!超过)(?<!低于)(?<!高于)(?<!不到)(?<!不满)"
    r"(?<!未满)(?<!少于)(?<!多于)(?<!小于)(?<!大于)"
    + _START
    + _QTY_NUM
    # 20余平方米, 二十多处: at least the number written
    + r"\s*(?:余|多)?\s*("
    + UNIT_PATTERN
    + r")(?![罚理置内起前后款条项米])"
    + _CONDITION_AFTER
)
_EXCEED = re.compile(r"超(?:过)?(?:排放)?(?:标准|标)(?:限值)?" + _QTY_NUM + r"\s*倍")
# 超过…排放限值2.1分贝, 超标5分贝: the excess, not the measured level (52.1分贝).
_EXCEED_DB = re.compile(
    r"超(?:过|出|标)?[^，。；\n]{0,60}?(?:限值|标准|标)[^，。；\n\d]{0,4}?"
    + _QTY_NUM
    + r"\s*(?:分贝|dB|db)"
)
_DB_LEVEL = 35.0
_BOUND_AFTER = re.compile(r"\s*(?:（[^）]{0,3}）)?\s*(?:（含）)?(?:以上|以下|以内)")
_TIMES = re.compile(r"第\s*" + _QTY_NUM + r"\s*次")
# 已被查处三次 (this one included) / 此前曾被处罚两次 (this one is the next)
_TIMES_COUNTED = re.compile(
    r"(?:被查处|被处罚|受到?过?(?:行政)?处罚|被查获)(?:过)?\s*" + _QTY_NUM + r"\s*次"
)
_EARLIER = re.compile(r"此前|之前|以前|曾|过去")
# 核定载质量为十吨 … 实际装载十四点二吨: the excess as a percentage of the rating
_RATED = re.compile(
    r"(?:核定|额定|限定|核载|准载)[^，。；\n\d]{0,10}?(?:为|是)?"
    + _QTY_NUM
    + r"\s*(吨|千克|公斤|人|名|座)"
)
_ACTUAL = re.compile(
    r"(?:实际|实载|实测|经称重|称重为?|载有|搭载|乘载)[^，。；\n\d]{0,10}?"
    + _QTY_NUM
    + r"\s*(吨|千克|公斤|人|名)"
)
_SAME_UNIT = {"千克": "公斤", "名": "人", "座": "人"}
# 排放浓度为90毫克/升，超过…标准限值（50毫克/升）: the excess multiple; 等效声级为
# 61.6分贝…限值60分贝: the excess in decibels (used when the text states neither).
_CONC_UNIT = r"(mg/m³|mg/m3|mg/L|mg/l|毫克/立方米|毫克/升|微克/立方米|μg/m³|分贝)"
_MEASURED = re.compile(
    r"(?:浓度|声级|噪声值|监测值|检测值|最高)(?:值)?(?:为|是|达到?|约)?\s*"
    r"(\d+(?:\.\d+)?)\s*" + _CONC_UNIT
)
_LIMIT = re.compile(
    r"(?:超过|超出|高于)[^。；\n]{0,60}?(\d+(?:\.\d+)?)\s*" + _CONC_UNIT
)
# The limit stated on its own (执行的排放标准限值为50mg/L, 标准值：50毫克/升).
_LIMIT_STATED = re.compile(
    r"(?:限值|标准值|排放标准|标准限值|排放限值|允许排放浓度|控制值)"
    r"(?:为|是|：|:|要求为?)?\s*(\d+(?:\.\d+)?)\s*" + _CONC_UNIT
)


def _conc_unit(unit: str) -> str:
    """One spelling per concentration unit (毫克/升 = mg/L)."""
    unit = unit.lower().replace("m3", "m³")
    return {"毫克/升": "mg/l", "毫克/立方米": "mg/m³", "微克/立方米": "μg/m³"}.get(
        unit, unit
    )


_FIRST_TIME = re.compile(r"(?<![不非])(?:首次|初次|第一次)")


@dataclass(frozen=True)
class Factor:
    kind: str
    name: str
    text: str
    start: int
    end: int
    value: float | None = None
    # "keyword" (a pattern) or "meaning" (nlp.factor_classifier: a trained model)
    how: str = "keyword"
    example: str = ""

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


def find_factors(text: str) -> list[Factor]:
    """Find circumstance factors (mitigating / aggravating) with their spans.

    Each statement is read in its clause: a mitigating statement that is negated
    (未能及时整改, 并非初次违法), ordered (责令其于3日内拆除), promised (表示将于…
    拆除), quoted (“…没有造成危害后果”) or part of a statute's condition (…及时改正
    的，不予行政处罚) is not a fact of the case; a first offence that is denied
    (不是其第一次违法) is ``not_first``; harm that is negated or only possible
    (可能造成…) is not ``harm``.

    :param text: the decision text (or one of its sections).
    :return: factors in textual order; overlapping matches keep the earlier pattern.
    """
    taken: list[tuple[int, int]] = []
    found: list[Factor] = []
    for name, kind, pattern in _FACTOR_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if end <= start or any(s < end and start < e for s, e in taken):
                continue
            negated = name in _NEG_CHECKED and _NEG_BEFORE.search(
                text, max(0, start - 2), start
            )
            if negated and name != "first_offence":
                continue  # 未及时改正, 不轻微
            if _inside_quote(text, start):
                continue  # “两年内第二次被查处”的“一般”情形: a tier or rule quoted
            if name == "repeated" and _negated_clause(text, start):
                continue  # 一年内未再次违法
            if kind == AGGRAVATING and _CONDITIONAL.match(text, end):
                continue  # 逾期不改正的，处…: a statute's condition, not a fact
            if (kind == MITIGATING or name == "harm") and _statute_condition(text, end):
                continue  # 违法行为轻微并及时改正…的，不予行政处罚
            if name == "corrected" and (
                _ordered_clause(text, start)
                or _denied_clause(text, start)
                or _other_agent(text, start, end)
                or _undone(text, end)
            ):
                continue  # 责令其于3日内自行拆除 / 未能及时整改 / 表示将拆除
            if name in ("minor", "cooperated", "eliminated_harm") and _denied_clause(
                text, start
            ):
                continue  # 不能认定为违法行为轻微
            if name == "no_harm" and _HARMLESS_DENIED.search(_clause(text, start)):
                continue  # 不属于没有造成危害后果的情形 / 不能认定为未造成影响
            if name == "harm" and (
                _denied_clause(text, start) or _POSSIBLE.search(_clause(text, start))
            ):
                continue  # 未对周边环境造成污染 / 可能造成安全隐患
            if name == "first_offence" and (
                negated or _NOT_FIRST.search(_clause(text, start))
            ):
                name, kind = "not_first", AGGRAVATING  # 不是其第一次违法
            taken.append((start, end))
            found.append(Factor(kind, name, match.group(0), start, end))
    found.sort(key=lambda f: f.start)
    return found


_CLAUSE_NEGATION = re.compile(r"未|没有|并非|不属于|不是|无")
_DENIAL = re.compile(
    r"未能?|没有|并未|尚未|拒不|不予|不能|不愿|不肯|难以|无法|并非|不属于|不是|不符合|"
    r"承诺|保证|表示将|表示会|愿意|同意|计划|准备|拟|才$|直到|直至|迟至|(?:声|辩|自)?称"
)
_NOT_FIRST = re.compile(r"并非|不是|不属于|不系|并不是")
# Before a harmless statement: the agency denies it (不属于没有造成危害后果的情形,
# 难以认定为未造成影响) or only reports the party's claim (当事人辩称未造成损失).
_HARMLESS_DENIED = re.compile(
    r"并非|不是|不属于?|不系|并不是|不能认定|难以认定|无法认定|不符合|(?:辩|声|自|人|其)称|申辩"
)
_POSSIBLE = re.compile(
    r"可能|容易|易于?|足以|防止|避免|以免|以防|或将|极易|存在[^，。；]{0,4}风险"
)
_STATUTE_TAIL = re.compile(
    r"[^。；\n]{0,40}?的[，,]\s*(?:可以|应当|依法|则)?\s*"
    r"(?:不予|免予|免于|从轻|减轻|从重|处|给予|责令)"
)


def _clause(text: str, pos: int, limit: int = 16) -> str:
    """The part of the clause (between ，。；：) that precedes ``pos``."""
    return re.split(r"[，。；：,\n]", text[max(0, pos - limit) : pos])[-1]


# Someone other than the party put it right (环卫部门及时清理, 本局委托第三方拆除):
# not the party's correction. A party word after the agent gives it back
# (执法人员指出后当事人当即收摊).
_AGENT = re.compile(
    r"环卫|执法人员|执法队员|本局|我局|本机关|物业|他人|第三方|部门|代为|"
    r"由(?!当事人|其|该|摊主|车主|经营者|你)[^，。；\n]{0,8}$"
)
_PARTY_WORD = re.compile(
    r"当事人|其|该(?:店|公司|单位|户|企业|商户)|摊主|车主|经营者|你"
)


def _other_agent(text: str, start: int, end: int) -> bool:
    """True when the clause names another agent as the one who corrected."""
    clause = _clause(text, start, 24) + text[start:end]
    agents = list(_AGENT.finditer(clause))
    if not agents:
        return False
    after = clause[agents[-1].end() :]
    # 执法人员指出后…, 在执法人员的监督下…, 本局调查前…: the agent only pointed it out
    return not (_PARTY_WORD.search(after) or _POINTED.search(after))


_POINTED = re.compile(
    r"指出|发现|督促|要求|检查|告知|劝|责令|通知|监督|调查|巡查|下[，,]?|后|前|"
    # the agency only verified it: 执法人员现场复查确认已改正
    r"复查|复核|确认|核实|核查|查验|验收|见证"
)


# The next clause takes the correction back: 已主动联系消费者，但尚未办理退款
# (not yet), 已拆除一部分，但未全部拆除 (not completed); not 即停止施工，但未主动
# 申请补办手续 (another act left undone).
_UNDONE = re.compile(
    r"[^，。；\n]*[，,]\s*(?:但|但是|然而|却|可是)[^，。；\n]{0,8}?"
    # not yet (the correction is under way), or not completed
    r"(?:(?:尚未|仍未|还未|还没有|仍没有|至今未)(?!造成|产生|导致|引起|发生|影响|出现|给)|"
    r"(?:未能?|没有|并未)[^，。；\n]{0,4}?(?:完成|全部|彻底|完全|到位|结束|[拆清改办退]完))"
)


def _undone(text: str, end: int) -> bool:
    """True when the clause after a correction says it is not done (…，但尚未…)."""
    return bool(_UNDONE.match(text, end))


def _denied_clause(text: str, pos: int) -> bool:
    """True when the clause before ``pos`` denies, or only promises, what follows."""
    return bool(_DENIAL.search(_clause(text, pos)))


def _statute_condition(text: str, end: int) -> bool:
    """True when the statement ends in a statute's condition (…的，不予处罚)."""
    return bool(_STATUTE_TAIL.match(text, end))


def _negated_clause(text: str, pos: int) -> bool:
    """True when the clause before ``pos`` negates what follows (当事人一年内未
    再次违法, 没有多次…)."""
    clause = re.split(r"[，。；：,\n]", text[max(0, pos - 12) : pos])[-1]
    return bool(_CLAUSE_NEGATION.search(clause))


_CONDITIONAL = re.compile(r"的[，,]")
_ORDER = re.compile(
    r"责令(?![^，。；\n]{0,6}?期限)|要求其|督促其|通知其|限其|应于|须于|应当|必须|限期"
)


def _ordered_clause(text: str, pos: int) -> bool:
    """True when the clause before ``pos`` is the agency's order (责令其…), not
    what the party did after one (接到责令改正通知书后三日内完成整改)."""
    clause = re.split(r"[，。；：,\n]", text[max(0, pos - 24) : pos])[-1]
    orders = list(_ORDER.finditer(clause))
    if not orders:
        return False
    return not _AFTER_ORDER.search(clause, orders[-1].end())


_AFTER_ORDER = re.compile(r"后|以后|之后|通知书|决定书")


def _inside_quote(text: str, pos: int) -> bool:
    """True when ``pos`` is inside “…” on its line (a quoted condition or name)."""
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    return line.count("“") > line.count("”")


_MEANING_KIND = {
    "corrected": MITIGATING,
    "no_harm": MITIGATING,
    "first_offence": MITIGATING,
    "minor": MITIGATING,
}


# Factors the classifier may add. ``minor`` is relative to a catalogue's tiers
# (面积约30平方米 is minor under one item and serious under another): it comes
# from the keywords and the tier, never from the classifier alone.
CLASSIFIER_FACTORS = frozenset({"corrected", "no_harm", "first_offence"})
_ANY_NEGATION = re.compile(r"未|没有|没|拒不|不|无|非")
_QUALIFIED_HARM = re.compile(r"严重|重大|恶劣|较大|较重")
# Words with a negating character that negate nothing the case could lack
# (未成年学生, 未经许可 and 无证 name the violation or a person).
_NOT_NEGATIONS = re.compile(r"未成年|未来|未经|无证|无照|不法|不合格|非法|不符合")
_NEGATED_FIX = re.compile(r"(?:未|没有|尚未|仍未|并未|从未|不)" + _FIX)
# Harmlessness told as the normal state kept (过往车辆通行如常, 水质保持正常).
_NORMAL_STATE = re.compile(r"正常|如常|照常|畅通|完好|无恙")
_FIRST_MARK = re.compile(r"[未无没不非]|首|初|第一|清白|良好|守法|规范经营")
# The sentence is the agency's decision or order, not a fact of the case:
# 决定…扣留机动车至违法状态消除, 责令当事人改正…，更换油烟净化设施.
# (责令改正期限届满前已拆除: the order's deadline, the party acted within it)
_DECIDED = re.compile(
    r"决定|依据|依照|根据|责令(?![^，。；\n]{0,6}?期限)|要求|(?<!责令)限期|限令"
)


# What the party claims (辩称…, 申辩称…) is not a finding of fact.
# (not the agency's prompt the party then acted on: 检查人员提出后，…)
_CLAIM = re.compile(
    r"称|申辩|辩解|认为|(?:提出|请求|要求)(?![^，。；\n]{0,10}?(?<!事)后[，,]?)"
)
# Negated corrections and first offences (未及时清理, 拒不拆除, 并非初次) state the
# opposite; harmlessness is itself written with a negation (未造成…), so it is exempt.
_NEGATED = re.compile(r"(?:未|没有|拒不|不|并非|尚未|仍未)$")
# "危害后果不属于轻微": the words are there, the statement is the opposite.
_DENIED = re.compile(r"不属于?|并非|不是|(?:不能|难以|无法)认定|较长|较大|较重")
_NEGATABLE = {"corrected", "first_offence", "minor"}


def _denied_or_claimed(text: str, name: str, start: int, clause: str) -> bool:
    """True when the clause around the carried words (from ``start``) denies them
    (危害后果不属于轻微), reports the party's claim (当事人辩称…) or negates a
    correction, first offence or minor (未及时清理, 并非初次)."""
    clause_start = text.rfind(clause, 0, start + len(clause))
    lo = start - clause_start if clause_start >= 0 else 0
    if _DENIED.search(clause, lo):
        return True
    sentence = max(text.rfind(sep, 0, start) for sep in "。；;\n")
    if _CLAIM.search(text, sentence + 1, start):
        return True
    return name in _NEGATABLE and bool(_NEGATED.search(clause[:lo]))


def _classifier_vetoed(text: str, name: str, start: int, end: int, clause: str) -> bool:
    """The clause checks a classifier reading must pass besides the keyword
    frames': not denied, claimed or negated (:func:`_denied_or_claimed`); the
    carried words span at least four characters; a correction is
    affirmative (油烟净化设施未开启 is the violation), in the facts and done by
    the party (not the decision's order: 责令…，更换油烟净化设施); harmlessness is
    written with a negation or as the normal state kept (影响市容 states harm,
    通行如常 its absence); a first offence states an absence, a first time or a
    clean record."""
    if end - start < 4 or _denied_or_claimed(text, name, start, clause):
        return True
    clause_start = text.rfind(clause, 0, start + len(clause))
    head = text[clause_start:end] if clause_start >= 0 else text[start:end]
    # (the words that negate nothing are blanked in the whole clause first: the
    # carried words may end inside 未成年)
    blanked = _NOT_NEGATIONS.sub(lambda m: " " * len(m.group(0)), clause)
    if name == "no_harm" and not (
        _ANY_NEGATION.search(blanked, 0, max(0, end - clause_start))
        or _NORMAL_STATE.search(text, start, end)
    ):
        return True
    # 期间未停止喷涂作业, 至今未拆除: the negation is of a correction, the
    # violation goes on.
    if name == "no_harm" and _NEGATED_FIX.search(clause):
        return True
    # 虽未造成严重后果: only the serious harm is denied, not harm (as the
    # keyword frames read it).
    if name == "no_harm" and _QUALIFIED_HARM.search(text, start, end):
        return True
    if name == "corrected" and _ANY_NEGATION.search(clause):
        return True
    # A first offence states an absence (无…记录, 从未受过处罚), a first time or a
    # clean record; a clause naming only the check (经信息系统查询, 经调取销售记录
    # 核实) states neither.
    if name == "first_offence" and not _FIRST_MARK.search(head):
        return True
    sentence = max(text.rfind(sep, 0, start) for sep in "。；;\n") + 1
    before = text[sentence:start]
    orders = list(_DECIDED.finditer(before))
    if not orders:
        return False
    # 本局当即责令其三日内清理，当事人于8月20日清理完毕: the party acted after.
    rest = before[orders[-1].end() :]
    comma = re.search(r"[，,]", rest)
    return not (comma and _PARTY_WORD.search(rest, comma.end()))


_EXEMPTION_FACTORS = frozenset({"corrected", "no_harm", "first_offence", "minor"})


def _read_clauses(
    text: str,
    names: set[str],
    taken: list[tuple[int, int]],
    thresholds: dict[str, float] | None,
) -> list[Factor]:
    """The classifier's readings of the clauses outside ``taken`` that pass the
    keyword frames' clause checks, for factors not in ``names`` (updated)."""
    from nlp.factor_classifier import default_classifier

    matches = [
        m
        for m in default_classifier().find(
            text, taken, thresholds, CLASSIFIER_FACTORS - names
        )
        if m.name in CLASSIFIER_FACTORS
        and not _classifier_vetoed(text, m.name, m.start, m.end, m.clause)
    ]
    added = []
    for match in sorted(matches, key=lambda m: m.start):
        if match.name in names:
            continue
        if _inside_quote(text, match.start) or _statute_condition(text, match.end):
            continue  # a quoted rule or a statute's condition, not a fact
        # The clause denies what the words carry, or reports the party's claim
        # (不属于没有造成危害后果的情形, 当事人辩称已经整改): the same reading as
        # the keyword frames (find_factors).
        if _HARMLESS_DENIED.search(_clause(text, match.start, 24)):
            continue
        # Ordered, promised or denied (承诺在十五日内清洗滤网, 表示将拆除), or
        # done by someone else: as the keyword frames read a correction.
        if match.name == "corrected" and (
            _ordered_clause(text, match.start)
            or _denied_clause(text, match.start)
            or _other_agent(text, match.start, match.end)
            or _undone(text, match.end)
        ):
            continue
        # A keyword already states the opposite: the meaning match is noise.
        if match.name == "first_offence" and names & {"not_first", "repeated"}:
            continue
        if match.name == "corrected" and "refused_correction" in names:
            continue
        if match.name == "no_harm" and "serious_consequence" in names:
            continue
        names.add(match.name)
        added.append(
            Factor(
                _MEANING_KIND[match.name],
                match.name,
                text[match.start : match.end],
                match.start,
                match.end,
                how="meaning",
                example=match.example,
            )
        )
    return added


def find_factors_by_meaning(
    text: str, factors: list[Factor], outside: list[tuple[int, int]] = ()
) -> list[Factor]:
    """Factors the keyword patterns missed, recognised by meaning.

    Only factors not already found by a keyword are added (a clause that states
    correction in its own words, e.g. 次日即恢复原状), with the span of the words
    that carried them.

    :param text: the facts (quoted statute text blanked).
    :param factors: the keyword factors found in ``text``.
    :param outside: spans the classifier does not read (the party, the decision
        and the notices: no circumstance of the case is stated there).
    :return: ``factors`` plus the new ones, in textual order.
    """
    from nlp.factor_classifier import SUPPORT_THRESHOLDS

    names = {f.name for f in factors}
    taken = [(f.start, f.end) for f in factors] + list(outside)
    # The trained clause classifier (nlp.factor_classifier) reads the clauses the
    # keywords left; the clause checks of the keyword frames veto its readings.
    # (It replaced a nearest-labelled-phrase model, whose readings it finds too,
    # with fewer false ones: docs/nlp.md, "Fifth round".)
    added = _read_clauses(text, names, taken, None)
    # A decision that already states two circumstances of an exemption (a first
    # offence and a correction, say) and nothing aggravating tells a lenient
    # case: a clause there that reads like the third one needs less evidence
    # (the thresholds of best F1 instead of F0.5). Sixth round, docs/nlp.md.
    stated = {"corrected" if n == "eliminated_harm" else n for n in names}
    missing = CLASSIFIER_FACTORS - stated
    if (
        len(stated & _EXEMPTION_FACTORS) >= 2
        and missing
        and not any(f.kind == AGGRAVATING for f in factors)
    ):
        lower = {
            name: SUPPORT_THRESHOLDS[name] if name in missing else 2.0
            for name in SUPPORT_THRESHOLDS
        }
        taken += [(f.start, f.end) for f in added]
        added += _read_clauses(text, names, taken, lower)
    return sorted(factors + added, key=lambda f: f.start)


def find_quantities(text: str) -> list[Factor]:
    """Find quantities (面积, 处数, 品种数, 超标倍数, 次数 …) with spans and values.

    :param text: the facts of a decision.
    :return: quantity factors (kind ``quantity``); ``name`` is the canonical unit
        (平方米, 处, 种 …), ``exceed_multiple`` or ``times``; ``value`` is numeric.
    """
    found: list[Factor] = []
    text = percent_to_symbol(text)
    taken: list[tuple[int, int]] = []

    def add(name, match, value):
        start, end = match.span()
        if value is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(Factor(QUANTITY, name, match.group(0), start, end, value))

    for match in _EXCEED.finditer(text):
        add("exceed_multiple", match, _number(match.group(1)))
    for match in _EXCEED_DB.finditer(text):
        value = _number(match.group(1))
        # 超过…昼间限值60分贝（A）names the limit, not the excess (excesses are a
        # few decibels; limits and levels are 40–70); 超标3分贝以下 is a bound.
        if value is None or value >= _DB_LEVEL or _BOUND_AFTER.match(text, match.end()):
            continue
        add("exceed_db", match, value)
    for match in _TIMES.finditer(text):
        add("times", match, _number(match.group(1)))
    for match in _TIMES_COUNTED.finditer(text):
        if _negated_clause(text, match.start()) or _inside_quote(text, match.start()):
            continue  # 从未被处罚 / a quoted tier condition
        count = _number(match.group(1))
        if count is not None:
            earlier = _EARLIER.search(_clause(text, match.start(), 12))
            add("times", match, count + 1 if earlier else count)
    names = {f.name for f in found}
    for sentence in re.finditer(r"[^。；\n]+", text):
        measured = _MEASURED.search(sentence.group(0))
        if measured is None:
            continue
        limit = _LIMIT.search(sentence.group(0)) or _LIMIT_STATED.search(
            sentence.group(0), measured.end()
        )
        if limit is None or _conc_unit(limit.group(2)) != _conc_unit(measured.group(2)):
            continue
        high, low = float(measured.group(1)), float(limit.group(1))
        if low <= 0 or high <= low:
            continue
        decibels = measured.group(2) == "分贝"
        name = "exceed_db" if decibels else "exceed_multiple"
        if name in names:
            continue
        value = round(high - low, 2) if decibels else round((high - low) / low, 2)
        start = sentence.start() + measured.start()
        end = sentence.start() + limit.end()
        if not any(s < end and start < e for s, e in taken):
            taken.append((start, end))
            found.append(Factor(QUANTITY, name, text[start:end], start, end, value))
            names.add(name)
    rated = _RATED.search(text)
    if rated is not None:
        for actual in _ACTUAL.finditer(text, rated.end()):
            unit = _SAME_UNIT.get(actual.group(2), actual.group(2))
            if unit != _SAME_UNIT.get(rated.group(2), rated.group(2)):
                continue
            limit, load = _number(rated.group(1)), _number(actual.group(1))
            if limit and load and load > limit:
                add("%", actual, round((load - limit) / limit * 100, 2))
            break
    for match in _FIRST_TIME.finditer(text):
        add("times", match, 1.0)
    # An area told by its sides (横幅长约一点五米、宽约零点六米; 2米×3米), where
    # the text states no area itself: the product, in 平方米.
    if not _AREA_WORD.search(text):
        for match in _SIDES.finditer(text):
            sides = [g for g in match.groups() if g is not None]
            length, width = _number(sides[0]), _number(sides[1])
            if length and width:
                add("平方米", match, round(length * width, 4))
    for match in _GENERIC.finditer(text):
        unit, scale = _SPELLING[match.group(2)]
        value = _number(match.group(1))
        add(unit, match, None if value is None else value * scale)
    found.sort(key=lambda f: f.start)
    return found


_AREA_WORD = re.compile(r"平方米|平米|㎡|m²|m2|平方|亩|面积")
# Two sides in metres: 长约一点五米、宽约零点六米, 长2米，宽1.5米, 3米×2米 (not a
# third side: 长2米、宽1米、高3米 is a volume).
_SIDES = re.compile(
    r"长(?:度)?(?:约|为|达)?"
    + _QTY_NUM
    + r"\s*米[、，,\s]?\s*宽(?:度)?(?:约|为|达)?"
    + _QTY_NUM
    + r"\s*米(?![、，,\s]?\s*(?:高|厚|深))|"
    + _START
    + _QTY_NUM
    + r"\s*米\s*[×xX*＊乘]\s*"
    + _QTY_NUM
    + r"\s*米(?!\s*[×xX*＊乘])"
)


_PERCENT_WORDS = re.compile(r"百分之([零〇一二两三四五六七八九十百\d.]+)")


def percent_to_symbol(text: str) -> str:
    """Rewrite 百分之二十 as 二十% padded to the same length (spans stay valid)."""

    def repl(match: re.Match) -> str:
        body = match.group(1) + "%"
        return body + " " * (len(match.group(0)) - len(body))

    return _PERCENT_WORDS.sub(repl, text)


def _number(raw: str) -> float | None:
    raw = raw.replace(",", "")
    if raw.replace(".", "", 1).isdigit():
        return float(raw)
    value = parse_number(raw)
    if value is None:
        value = parse_int(raw)
    return float(value) if value is not None else None


# Statements about discretion. "未载明从轻理由" or "不予从轻" are not affirmative.
_DISCRETION = re.compile(
    r"从轻|从重|减轻|裁量(?!基准)|情节|阶次|档次|情形|考虑|鉴于|酌情|认错|悔改|态度较好|"
    r"影响较大|影响较小|危害较大|危害较小|社会危害"
)
_TITLE = re.compile(r"【[^】\n]{1,20}】")
_DISCRETION_NEG = re.compile(
    r"(?:未|没有|不|无)(?:载明|说明|写明|记载|予|涉及|存在|具有)?[^，。；\n]{0,4}$"
)
_REFUTES_EXEMPTION = re.compile(
    r"不(?:适用|符合|属于|能适用|予适用|满足|具备)[^。；\n]{0,45}?(?:首违不罚|不予(?:行政)?处罚|"
    r"免(?:予|于)?处罚|初次违法|首次违法|免罚|轻微|第三十三条)|"
    r"(?:首违不罚|不予处罚)[^。；\n]{0,10}?(?:条件|情形)[^。；\n]{0,6}?不(?:符合|满足|具备)|"
    r"(?:危害后果|违法行为|情节)(?:并非|不属于|不是)(?:轻微|显著轻微)|"
    # in the agency's own words: 危害后果难以认定为轻微，不宜免予处罚
    r"(?:危害后果|违法行为|情节)[^。；\n]{0,4}(?:难以|不能|无法)认定为?(?:轻微|显著轻微)|"
    r"(?:不宜|不应|不能|不得|无法)(?:免予|免于|免除|不予)(?:行政)?处罚|"
    r"(?:不宜|不能|无法)适用[^。；\n]{0,10}?(?:首违不罚|不予(?:行政)?处罚|免罚)|"
    # 仍应依法给予处罚, 不予免除处罚, 不在首违不罚清单之列
    r"(?:仍然|仍|依然)(?:应|应当|需|须|要)(?:依法)?(?:给予|予以|进行|作出)(?:行政)?处罚|"
    r"不予(?:免除|免予|免于)(?:行政)?处罚|"
    r"(?:不在|未列入|未纳入|不属于|超出)[^。；\n]{0,16}?(?:免罚|不罚|不予处罚|免予处罚|轻微违法)"
    r"[^。；\n]{0,6}?(?:清单|范围|之列|事项)|不予免罚|不能免罚|不宜免罚|"
    # 可以不予行政处罚，但考虑到…: the exemption weighed and answered
    r"(?:可以|可)不予(?:行政)?处罚[^。；\n]{0,6}?[，,]\s*(?:但|但是|然而)|"
    r"(?:首违不罚|不予(?:行政)?处罚|免罚|第三十三条)[^。；\n]{0,16}?(?:不适用|不能适用|不予适用|无法适用)|"
    r"(?:改正|整改)(?:不及时|不彻底|不到位)|(?:并非|不是|不属于)(?:及时|主动)(?:改正|整改)|"
    r"(?:危害后果|后果|影响)(?:较大|较重|明显|并非轻微|不轻|难以消除|无法消除|不能排除)|"
    # a concession weighed and answered: 虽系初次违法并已改正，但…
    r"(?:虽然?|尽管|虽说)[^。；\n]{0,40}?(?:初次|首次|第一次|改正|整改|拆除|清理|恢复|"
    r"未造成|没有造成|轻微|违法记录|处罚)[^。\n]{0,40}?[，,]\s*(?:但|但是|然而|可是|却)"
)
_MITIGATION_WORD = re.compile(r"(?<![不未无])(?:减轻|从轻)(?:处罚|罚款|处理)?")
# 从轻/减轻 stated affirmatively (public: nlp.peers shows it as the carrying word).
MITIGATION_WORD = _MITIGATION_WORD
_AGGRAVATION_WORD = re.compile(r"(?<![不未无])从重(?:处罚|罚款|处理)?")
_LAW_32 = re.compile(r"第(?:三十二|32)条|第(?:三十三|33)条")


def states_discretion(text: str) -> bool:
    """True when the text reasons about discretion affirmatively."""
    text = _TITLE.sub("", text)
    for match in _DISCRETION.finditer(text):
        before = text[max(0, match.start() - 8) : match.start()]
        if not _DISCRETION_NEG.search(before):
            return True
    return False


def refutes_exemption(text: str) -> bool:
    """True when the text explains why a no-penalty / first-offence rule does not apply."""
    return bool(_REFUTES_EXEMPTION.search(text))


# Before 从轻/减轻/从重 in its clause: the word is denied (不予从轻, 无从轻情节,
# 不符合减轻条件) or requested by the party (请求从轻处罚); or it is a statute's
# consequence (…的，应当从轻或者减轻行政处罚). None of them is the agency applying it.
_ADJUST_DENIED = re.compile(
    r"(?:不予|不得|不能|不宜|不应|不适用|不符合|不具有|不具备|不存在|没有|无|未|不|"
    r"请求|申请|要求|希望|恳请|提出|辩称|称)[^，。；：\n]{0,8}$|或者$"
)
_STATUTE_CONSEQUENCE = re.compile(
    r"的[，,]\s*(?:依法)?(?:应当|可以|应|可)?\s*(?:依法)?$"
)


def _affirmative(pattern: re.Pattern, text: str) -> bool:
    """True when ``pattern`` occurs in ``text`` as the agency's own statement."""
    for match in pattern.finditer(text):
        before = text[max(0, match.start() - 12) : match.start()]
        if _STATUTE_CONSEQUENCE.search(before):
            continue
        clause = re.split(r"[，。；：,\n]", before)[-1]
        if not _ADJUST_DENIED.search(clause):
            return True
    return False


def states_mitigation(text: str, factors: list[Factor]) -> bool:
    """True when 从轻/减轻 is stated with a reason (a mitigating factor or 第三十二条)."""
    if not _affirmative(_MITIGATION_WORD, text):
        return False
    return bool(_LAW_32.search(text)) or any(f.kind == MITIGATING for f in factors)


_REDUCTION_WORD = re.compile(r"(?<![不未无])减轻(?:处罚|罚款|处理)|低于法定(?:最低)?")


def states_reduction(text: str, factors: list[Factor]) -> bool:
    """True when 减轻处罚 (below the statutory minimum) is stated with a basis."""
    if not _affirmative(_REDUCTION_WORD, text):
        return False
    return bool(_LAW_32.search(text)) or any(f.kind == MITIGATING for f in factors)


def states_aggravation(text: str, factors: list[Factor]) -> bool:
    """True when 从重 is stated with a reason (an aggravating factor)."""
    return _affirmative(_AGGRAVATION_WORD, text) and any(
        f.kind == AGGRAVATING for f in factors
    )
