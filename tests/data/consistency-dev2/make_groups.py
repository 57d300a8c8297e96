"""Writes tests/data/consistency-dev2/groups.json and decisions/<group>/<nn>.txt.

Second development set for 同案不同罚 (format ``zhifa.consistency-groups/1``), written by
the checker2 session BEFORE changing the detector for it. It targets two failure classes:

* fines exactly on a tier boundary (top of 一般 = bottom of 严重, bottom of 一般 = top of 轻微),
  in decisions that do not name the tier, that name it next to a negated other tier
  (不属于“严重”情形), or that quote the ranges of two adjacent tiers;
* lawful controls whose reason (拒不改正, 第二次被查处, 主动消除危害后果) is written only in the
  facts (经查 …), while the discretion paragraph is neutral.

No randomness; re-running rewrites the same files. Run: python tests/data/consistency-dev2/make_groups.py
"""

import datetime as dt
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DIG = "零壹贰叁肆伍陆柒捌玖"
CN = "〇一二三四五六七八九"


def _sec4(n):
    res, pend = "", False
    for i, u in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        d = (n // 10**i) % 10
        if d == 0:
            if res:
                pend = True
        else:
            if pend:
                res += "零"
                pend = False
            res += DIG[d] + u
    return res


def daxie(n):
    n = int(n)
    hi, lo = n // 10000, n % 10000
    res = ""
    if hi:
        res = _sec4(hi) + "万"
        if lo and lo < 1000:
            res += "零"
    if lo:
        res += _sec4(lo)
    return res + "元整"


def cn_num(n):
    if n < 10:
        return CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


def date_cn(d):
    return "二〇" + "".join(CN[int(c)] for c in str(d.year)[2:]) + "年" + cn_num(d.month) + "月" + cn_num(d.day) + "日"


def date_ar(d):
    return f"{d.year}年{d.month}月{d.day}日"


def D(s):
    return dt.date.fromisoformat(s)


REMEDY = {
    0: "如不服本处罚决定，可在收到本决定书之日起六十日内向{gov}申请行政复议，或者在六个月内向{court}提起行政诉讼。",
    1: "当事人对本决定不服的，可以自收到本决定书之日起六十日内依法向{gov}申请行政复议，也可以自收到本决定书之日起六个月内依法向{court}提起行政诉讼。复议、诉讼期间，本决定不停止执行。",
}
PAY = {
    0: "当事人应当自收到本决定书之日起十五日内，将罚款缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款。",
    1: "罚款请于收到本决定书之日起十五日内通过“江城非税”平台缴纳。逾期不缴纳的，本机关将依法加处罚款并申请人民法院强制执行。",
}


def person(name, sex, born, addr):
    return f"当事人：{name}，{sex}，{born}出生\n住址：{addr}"


def org(name, code, rep, addr):
    return f"当事人：{name}\n统一社会信用代码：{code}\n法定代表人：{rep}\n住所：{addr}"


def render(agency, doc_no, party_block, parts, date, style, officers, district):
    gov = f"江城市{district}人民政府"
    court = f"江城市{district}人民法院"
    body = "\n\n".join("    " + p for p in parts)
    off = "、".join(f"{n}（执法证号：{c}）" for n, c in officers)
    date_s = date_cn(date) if style % 2 == 0 else date_ar(date)
    pay = PAY[style % 2]
    remedy = REMEDY[(style // 2) % 2].format(gov=gov, court=court)
    return (
        f"{agency}\n行政处罚决定书\n\n{doc_no}\n\n{party_block}\n\n{body}\n\n    {pay}\n\n    {remedy}\n\n"
        f"执法人员：{off}\n\n{agency}\n{date_s}\n"
    )


# ---------------------------------------------------------------- group h01: CG-001 路灯杆广告牌
def h01():
    agency_a = "江城市南湖区城市管理局"
    agency_b = "江城市江口区城市管理局"
    cases = []
    spec = [
        # (kind, fine, style, quantity words, agency, party, date, reason_fact, reason_words)
        ("ordinary", 6000, 1, "4处，单块面积约1.5平方米", agency_a, 0, "2025-03-12", "", ""),
        ("ordinary", 7000, 2, "五处，每块约一点二平方米", agency_b, 1, "2025-05-20", "", ""),
        ("ordinary", 6500, 3, "3块（单块面积约4平方米）", agency_a, 2, "2025-07-08", "", ""),
        ("ordinary", 7500, 1, "6处", agency_b, 3, "2025-09-16", "", ""),
        ("ordinary", 6000, 2, "四块，每块面积约3平方米", agency_a, 4, "2025-11-03", "", ""),
        ("outlier_high", 10000, 2, "五处", agency_b, 5, "2026-01-14", "", ""),
        ("outlier_low", 5000, 4, "3处，每处约2.5平方米", agency_a, 6, "2026-03-02", "", ""),
        (
            "control_reason", 10000, 3, "7处", agency_b, 7, "2026-04-21",
            "本局执法人员当场送达《责令限期改正通知书》，责令其于3日内自行拆除。期限届满后复查，当事人经责令改正后拒不改正，广告牌仍悬挂原处，本局遂依法组织拆除。",
            "当事人经责令改正后拒不改正",
        ),
        (
            "control_reason", 5000, 1, "4处", agency_a, 8, "2026-06-09",
            "立案次日，当事人自行拆除了全部广告牌，并对路灯杆被捆扎处进行了修补、刷漆，主动消除了违法行为的危害后果。",
            "主动消除了违法行为的危害后果",
        ),
    ]
    parties = [
        person("孙某某", "男", "1981年4月", "江城市南湖区丽水路9号"),
        org("江城市悦达文化传媒有限公司", "91420100MA4K7Q3X2L", "陈某某", "江城市江口区新港路66号"),
        person("邓某某", "女", "1990年2月", "江城市南湖区桂园路112号"),
        org("江城市百信装饰工程有限公司", "91420100MA4L2R8N5C", "姚某某", "江城市江口区滨江大道8号"),
        person("蒋某", "男", "1975年11月", "江城市南湖区文昌路3号"),
        org("江城市星河教育咨询有限公司", "91420100MA4M9D1W7E", "吴某某", "江城市江口区港湾路21号"),
        person("韩某某", "男", "1986年8月", "江城市南湖区桂园路5号"),
        org("江城市鼎盛房产经纪有限公司", "91420100MA4N3F6T1G", "郑某某", "江城市江口区新港路102号"),
        person("梁某某", "女", "1979年6月", "江城市南湖区丽水路77号"),
    ]
    roads = ["丽水路", "新港路", "桂园路", "滨江大道", "文昌路", "港湾路", "桂园路", "新港路", "丽水路"]
    for n, (kind, fine, style, qty, agency, p, date, reason_fact, reason_words) in enumerate(spec, 1):
        d = D(date)
        found = d - dt.timedelta(days=40)
        district = "南湖区" if "南湖" in agency else "江口区"
        short = "江南城管" if "南湖" in agency else "江口城管"
        doc_no = f"{short}罚字〔{d.year}〕第{30 + n * 7}号"
        who = "当事人"
        facts = (
            f"经查，{date_ar(found)}，{who}未经城市道路管理部门批准，擅自在{district}{roads[n - 1]}沿线路灯杆上设置商业宣传广告牌{qty}。"
            "上述广告牌采用铁丝捆扎方式固定，未经任何审批。"
            + reason_fact
        )
        if style == 1:
            start = f"{date_ar(found)}，本局执法人员在日常巡查中发现{district}{roads[n - 1]}路灯杆上设有广告牌，当日立案调查。"
        elif style == 2:
            start = f"当事人擅自在路灯设施上设置广告牌一案，本局于{date_ar(found)}立案，现已调查终结。"
        else:
            start = f"根据群众举报，本局于{date_ar(found)}对{district}{roads[n - 1]}路灯杆设置广告牌的情况进行检查，并依法立案。"
        evidence = "以上事实有现场检查笔录、现场照片、询问笔录、当事人身份证明材料等证据为证。"
        opinion = (
            "本局认为，当事人擅自在路灯设施上设置广告牌的行为，违反了《城市道路管理条例》第二十七条第（六）项的规定，"
            "依据《城市道路管理条例》第四十二条的规定，应予行政处罚。"
        )
        notice = f"本局于{date_ar(d - dt.timedelta(days=15))}向当事人送达了《行政处罚事先告知书》，当事人在法定期限内未提出陈述、申辩。"
        if style == 1:
            discretion = "根据《江城市城市管理行政处罚裁量基准》，当事人的违法行为适用“一般”档次（罚款5000元以上10000元以下），本局综合考虑案件情况，在该档次内确定罚款数额。"
        elif style == 2:
            discretion = "本局依照裁量基准，结合当事人违法行为的事实、性质、情节以及社会危害程度，确定罚款数额。"
        elif style == 3:
            discretion = "经审查，本案不属于裁量基准规定的“严重”情形，亦不属于“轻微”情形，按“一般”情形予以处罚，在相应幅度内确定罚款数额。"
        else:
            discretion = "对照《江城市城市管理行政处罚裁量基准》，“一般”档次罚款幅度为5000元以上10000元以下，“轻微”档次为5000元以下，本局结合案件事实，确定罚款数额如下。"
        decision = f"依据《城市道路管理条例》第四十二条的规定，本局决定：一、责令当事人限期拆除违法设置的广告牌；二、罚款人民币{daxie(fine)}（{fine}元）。"
        parts = [start, facts, evidence, opinion, notice, discretion, decision]
        officers = [("冯建国", "42010410231"), ("陶敏", "42010410245")] if n % 2 else [("钟毅", "42010510118"), ("潘丽", "42010510126")]
        text = render(agency, doc_no, parties[p], parts, d, style, officers, district)
        cases.append(dict(n=n, kind=kind, fine=fine, agency=agency, doc_no=doc_no, date=date, text=text,
                          party="individual" if p % 2 == 0 else "organization", reason_words=reason_words,
                          officers=officers))
    return {"id": "h01", "item_id": "CG-001", "tier": "一般", "city": "江城市",
            "note": "CG-001 路灯杆广告牌，一般档5000–10000元（下限=轻微档上限，上限=严重档下限）。风格：1 明示一般档；2 不写档次、数量用汉字；3 “不属于严重/轻微情形”；4 同时引用一般档与轻微档幅度。对照案例理由仅写在事实部分（拒不改正；主动消除危害后果）。"}, cases


# ---------------------------------------------------------------- group h02: JT-005 无证货运
def h02():
    agency = "江城市西江区交通运输局"
    spec = [
        ("ordinary", 4000, 1, "2025-02-10", "", ""),
        ("ordinary", 5000, 2, "2025-04-22", "", ""),
        ("ordinary", 4500, 3, "2025-06-30", "", ""),
        ("ordinary", 6000, 4, "2025-08-19", "", ""),
        ("ordinary", 5000, 1, "2025-10-28", "", ""),
        ("outlier_high", 10000, 2, "2026-01-06", "", ""),
        ("outlier_low", 3000, 4, "2026-02-25", "", ""),
        (
            "control_reason", 10000, 3, "2026-05-12",
            "经核查交通运输执法系统记录，当事人于2025年4月曾因同一违法行为被本局查处，本次系第二次被查处。",
            "本次系第二次被查处",
        ),
        (
            "control_reason", 3000, 1, "2026-07-03",
            "检查当日，当事人即联系具有道路运输经营资质的企业将所载货物转运至目的地，并退还了托运人已支付的运费，积极采取措施消除了违法行为的危害后果。",
            "积极采取措施消除了违法行为的危害后果",
        ),
        (
            "control_reason", 10000, 2, "2026-08-20",
            "当事人装载的钢管未捆扎固定，车辆行经西江区汉江路时部分钢管滑落，砸中路边一名行人，致其左腿骨折。",
            "砸中路边一名行人，致其左腿骨折",
        ),
    ]
    names = ["林某某", "江城市顺通商贸有限公司", "马某某", "江城市恒达建材有限公司", "周某", "罗某某", "江城市聚丰农产品有限公司", "谢某某", "唐某某", "付某某"]
    cargo = ["建材", "日用百货", "家具", "瓷砖", "蔬菜", "钢管", "水果", "电器", "饮料", "钢管"]
    fees = [500, 800, 650, 1200, 400, 900, 700, 750, 600, 850]
    cases = []
    for n, (kind, fine, style, date, reason_fact, reason_words) in enumerate(spec, 1):
        d = D(date)
        found = d - dt.timedelta(days=35)
        nm = names[n - 1]
        is_org = "公司" in nm
        block = org(nm, f"91420100MA4P{n}X8K{n}L", "刘某某", "江城市西江区工业园路18号") if is_org else person(nm, "男", "1984年3月", "江城市西江区汉江路20号")
        doc_no = f"江西交罚〔{d.year}〕{100 + n * 3}号"
        start = {
            1: f"{date_ar(found)}，本局执法人员在西江区汉江路与工业园路交叉口开展道路运输执法检查，发现鄂A·{n}K{n}××号货车装载{cargo[n - 1]}，无法出示道路运输证，当日立案。",
            2: f"当事人未取得道路运输经营许可擅自从事道路普通货物运输经营一案，本局于{date_ar(found)}立案调查，现已调查终结。",
            3: f"{date_ar(found)}上午，本局在西江区货运通道例行检查中拦停一辆装载{cargo[n - 1]}的厢式货车，依法立案调查。",
            4: f"本局于{date_ar(found)}查获当事人无证从事货物运输一案，并依法立案。",
        }[style]
        facts = (
            f"经查，当事人未取得道路运输经营许可，受他人委托将一批{cargo[n - 1]}从西江区运往南湖区，约定运费{fees[n - 1]}元，当事人已收取。"
            + reason_fact
        )
        evidence = "上述事实有现场检查笔录、询问笔录、车辆行驶证及驾驶证复印件、运费收取凭证、执法记录仪视频等证据证实。"
        opinion = "本局认为，当事人的行为违反了《中华人民共和国道路运输条例》第二十四条的规定，依据《中华人民共和国道路运输条例》第六十三条的规定，应当予以处罚。"
        notice = f"{date_ar(d - dt.timedelta(days=14))}，本局向当事人送达了《行政处罚事先告知书》，当事人未提出陈述申辩，亦未申请听证。"
        discretion = {
            1: f"当事人违法所得{fees[n - 1]}元，不足1万元，依照《江城市交通运输行政处罚裁量基准》，适用“一般”档次，罚款幅度为3000元以上10000元以下，本局在该幅度内确定罚款数额。",
            2: "本局综合考虑当事人违法行为的事实、性质、情节及社会危害程度，依法确定罚款数额。",
            3: f"当事人违法所得{fees[n - 1]}元，本案不属于违法所得超过1万元的情形，按照裁量基准的“一般”情形处理。",
            4: "对照裁量基准，没有违法所得或者违法所得不足1万元的，罚款3000元以上1万元以下；违法所得超过1万元的，处违法所得1倍以上5倍以下罚款。本局据此确定罚款数额。",
        }[style]
        decision = f"依据《中华人民共和国道路运输条例》第六十三条的规定，本局决定对当事人作出如下行政处罚：一、责令停止经营；二、罚款人民币{daxie(fine)}（{fine}元）。"
        officers = [("岑立", "42010660112"), ("蒲晓燕", "42010660131")]
        text = render(agency, doc_no, block, [start, facts, evidence, opinion, notice, discretion, decision], d, style, officers, "西江区")
        cases.append(dict(n=n, kind=kind, fine=fine, agency=agency, doc_no=doc_no, date=date, text=text,
                          party="organization" if is_org else "individual", reason_words=reason_words, officers=officers))
    return {"id": "h02", "item_id": "JT-005", "tier": "一般", "city": "江城市",
            "note": "JT-005 无证普通货运，单档“一般”3000–10000元。对照案例理由仅写在事实部分（系第二次被查处，属一般档条件内；积极采取措施消除危害后果）。"}, cases


# ---------------------------------------------------------------- group h03: SC-004 明码标价
def h03():
    agency = "江城市北山区市场监督管理局"
    spec = [
        ("ordinary", 1500, 1, "8个品种", "2024-11-05", "", ""),
        ("ordinary", 2000, 2, "十二个品种", "2025-01-21", "", ""),
        ("ordinary", 1500, 3, "9种", "2025-03-18", "", ""),
        ("ordinary", 1800, 1, "15个品种", "2025-05-27", "", ""),
        ("ordinary", 2000, 4, "十个品种", "2025-08-12", "", ""),
        ("outlier_high", 3000, 3, "11个品种", "2025-10-09", "", ""),
        ("outlier_low", 1000, 2, "七个品种", "2025-12-16", "", ""),
        (
            "control_reason", 3000, 1, "13个品种", "2026-02-03",
            "经查询，当事人曾于2023年6月因未明码标价被本局给予警告，此次系第二次被查处，且检查时将部分标价签撕下藏于收银台抽屉内。",
            "此次系第二次被查处，且检查时将部分标价签撕下藏于收银台抽屉内",
        ),
        (
            "control_reason", 1000, 4, "6个品种", "2026-04-14",
            "检查结束后一小时内，当事人即对全部商品补齐了标价签，并对此前购买上述商品的3名顾客逐一电话回访、说明价格，主动消除了危害后果。",
            "主动消除了危害后果",
        ),
        (
            "control_reason", 1000, 2, "8个品种", "2026-06-23",
            "经调取收银记录，有2名顾客按高于货架实际执行价格的金额结算，当事人已向上述顾客全额退还多收的差价共计36元。",
            "已向上述顾客全额退还多收的差价",
        ),
    ]
    shops = ["江城市北山区惠民超市", "江城市北山区鲜果汇水果店", "江城市乐购便利店有限公司", "江城市北山区百味干货店",
             "江城市北山区金盛五金店", "江城市优品百货有限公司", "江城市北山区福源粮油店", "江城市北山区万家乐超市",
             "江城市北山区佳佳母婴用品店", "江城市北山区四季鲜超市"]
    goods = ["日用品", "水果", "饮料及零食", "干货", "五金工具", "百货", "粮油", "日用百货", "母婴用品", "生鲜"]
    cases = []
    for n, (kind, fine, style, qty, date, reason_fact, reason_words) in enumerate(spec, 1):
        d = D(date)
        found = d - dt.timedelta(days=30)
        shop = shops[n - 1]
        is_org = "有限公司" in shop
        block = (org(shop, f"91420100MA4R{n}Y2Q{n}H", "何某某", "江城市北山区青松路88号") if is_org
                 else f"当事人：{shop}（个体工商户）\n经营者：{'赵钱孙李周吴郑王冯陈'[n - 1]}某某\n统一社会信用代码：92420100MA4S{n}Z5U{n}J\n经营场所：江城市北山区青松路{n * 11}号")
        doc_no = f"江北市监罚〔{d.year}〕{200 + n * 9}号"
        start = {
            1: f"{date_ar(found)}，本局执法人员对当事人经营场所进行检查，发现其销售的部分商品未标明价格，当日立案调查。",
            2: f"当事人不按规定明码标价一案，本局于{date_ar(found)}立案，现已调查终结。",
            3: f"根据消费者投诉，本局于{date_ar(found)}对当事人经营场所开展价格检查，并依法立案。",
            4: f"本局于{date_ar(found)}在价格专项检查中发现当事人涉嫌不按规定明码标价，依法立案调查。",
        }[style]
        facts = (
            f"经查，当事人在经营场所销售{goods[n - 1]}，检查时货架上共有{qty}商品未标示价格，亦未设置其他价格说明。"
            + reason_fact
        )
        evidence = "以上事实有现场笔录、现场照片、询问笔录、营业执照复印件等证据证明。"
        opinion = "本局认为，当事人的上述行为违反了《中华人民共和国价格法》第十三条第一款的规定，构成不按规定明码标价的行为。依据《中华人民共和国价格法》第四十二条及《价格违法行为行政处罚规定》第十三条的规定，应予处罚。"
        notice = f"{date_ar(d - dt.timedelta(days=12))}，本局向当事人告知了拟作出行政处罚的事实、理由、依据和其享有的权利，当事人未提出陈述申辩。"
        discretion = {
            1: "依照《江城市市场监督管理行政处罚裁量基准》，本案适用“一般”档次（罚款1000元以上3000元以下），本局在该档次内确定罚款数额。",
            2: "本局综合考虑当事人违法行为的性质、情节和社会危害程度，依法确定罚款数额。",
            3: "本案未明码标价商品未达20个品种，不属于“严重”情形，亦未在一年内再次违法，本局按“一般”情形确定罚款。",
            4: "对照裁量基准，“轻微”档罚款1000元以下，“一般”档罚款1000元以上3000元以下，“严重”档罚款3000元以上5000元以下，本局结合本案事实确定罚款数额。",
        }[style]
        decision = f"依据《中华人民共和国价格法》第四十二条、《价格违法行为行政处罚规定》第十三条的规定，本局决定：责令当事人改正，并处罚款人民币{daxie(fine)}（{fine}元）。"
        officers = [("杜文", "42010770155"), ("邹琪", "42010770162")]
        text = render(agency, doc_no, block, [start, facts, evidence, opinion, notice, discretion, decision], d, style, officers, "北山区")
        cases.append(dict(n=n, kind=kind, fine=fine, agency=agency, doc_no=doc_no, date=date, text=text,
                          party="organization" if is_org else "individual", reason_words=reason_words, officers=officers))
    return {"id": "h03", "item_id": "SC-004", "tier": "一般", "city": "江城市",
            "note": "SC-004 明码标价，一般档1000–3000元（5–20个品种）。上一次处罚在一年以上之前，不构成“一年内再次违法”，档次仍为一般。对照案例理由仅写在事实部分。"}, cases


def main():
    groups = []
    for make in (h01, h02, h03):
        meta, cases = make()
        folder = os.path.join(HERE, "decisions", meta["id"])
        os.makedirs(folder, exist_ok=True)
        rows = []
        for c in cases:
            rel = f"decisions/{meta['id']}/{c['n']:02d}.txt"
            with open(os.path.join(HERE, rel), "w", encoding="utf-8") as fh:
                fh.write(c["text"])
            assert f"（{c['fine']}元）" in c["text"]
            assert c["reason_words"] in c["text"]
            rows.append({
                "file": rel, "agency": c["agency"], "document_number": c["doc_no"],
                "decision_date": c["date"], "party": c["party"], "fine_yuan": float(c["fine"]),
                "base_amount": None,
                "officers": [{"name": a, "cert_no": b} for a, b in c["officers"]],
                "kind": c["kind"], "expect_inconsistent": c["kind"].startswith("outlier"),
                "reason_words": c["reason_words"],
            })
        groups.append({**meta, "cases": rows})
    data = {
        "format": "zhifa.consistency-groups/1",
        "description": "Second development set (checker2): fines on tier boundaries in decisions that do not name the tier or name a negated neighbour tier, and controls whose reason is stated only in the facts.",
        "catalogues": [f"../../../casebank/resources/catalogues/{n}.json" for n in ("chengguan", "shichang", "shengtai", "jiaotong", "ziran")],
        "groups": groups,
    }
    with open(os.path.join(HERE, "groups.json"), "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
