"""Writes tests/data/consistency/groups.json and decisions/<group>/<nn>.txt.

Test data for the 同案不同罚 (inconsistent penalty) check, written blind: the author read only the
catalogues, the catalogue spec and a few sample decisions, never the detector.  Re-running the
script rewrites the same files (no randomness).  Run: python tests/data/consistency/make_groups.py
"""

import datetime as dt
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

DIG = "零壹贰叁肆伍陆柒捌玖"


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
    """Integer yuan -> 大写 (叁万零伍佰元整)."""
    assert n == int(n) and n > 0, n
    n = int(n)
    groups = [(n // 10**8, "亿"), ((n // 10**4) % 10**4, "万"), (n % 10**4, "")]
    res, need_zero = "", False
    for g, u in groups:
        if g == 0:
            if res:
                need_zero = True
            continue
        if res and (need_zero or g < 1000):
            res += "零"
        res += _sec4(g) + u
        need_zero = False
    return res + "元整"


CN = "〇一二三四五六七八九"


def cn_num(n):
    if n < 10:
        return "十" if n == 10 else CN[n]
    if n < 20:
        return "十" + (CN[n % 10] if n % 10 else "")
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


def date_cn(d):
    return (
        "二〇"
        + "".join(CN[int(c)] for c in str(d.year)[2:])
        + "年"
        + cn_num(d.month)
        + "月"
        + cn_num(d.day)
        + "日"
    )


def date_ar(d):
    return f"{d.year}年{d.month}月{d.day}日"


def D(s):
    return dt.date.fromisoformat(s)


def yuan(n):
    return f"{int(n)}元" if n == int(n) else f"{n}元"


def fmt_mult(m):
    return "%g" % m


# ---------------------------------------------------------------- parties
def party_block(p):
    if p["type"] == "organization":
        lines = [
            f"当事人：{p['name']}",
            f"统一社会信用代码：{p['uscc']}",
            f"法定代表人：{p['rep']}",
            f"住所：{p['addr']}",
        ]
    elif p.get("biz"):
        lines = [
            f"当事人：{p['name']}（{p['biz']}经营者）",
            "主体类型：个体工商户",
            f"统一社会信用代码：{p['uscc']}",
            f"身份证号码：{p['id']}",
            f"经营场所：{p['addr']}",
        ]
    else:
        lines = [
            f"当事人：{p['name']}，{p['sex']}，{p['born']}出生",
            f"身份证号码：{p['id']}",
            f"住址：{p['addr']}",
        ]
    for extra in p.get("extra", []):
        lines.append(extra)
    return "\n".join(lines)


def officers_line(offs):
    return "执法人员：" + "、".join(f"{o[0]}（执法证号：{o[1]}）" for o in offs)


def paras(*ps):
    return "\n\n".join(
        "    " + p if not p.startswith("执法人员") else p for p in ps if p
    )


REMEDY = [
    "当事人如不服本处罚决定，可以在收到本决定书之日起六十日内向{gov}申请行政复议；也可以依照《中华人民共和国行政诉讼法》第四十六条第一款的规定，在六个月内直接向{court}提起行政诉讼。行政复议或者行政诉讼期间，本处罚决定不停止执行。",
    "如不服本处罚决定，当事人可以自收到本决定书之日起六十日内向{gov}申请行政复议，或者自收到本决定书之日起六个月内向{court}提起行政诉讼。",
    "当事人对本处罚决定不服的，可以在收到本决定书之日起六十日内依法向{gov}申请行政复议，也可以在六个月内依法向{court}提起行政诉讼。",
]
PAY = [
    "当事人应当自收到本决定书之日起十五日内，持本决定书到江城市农村商业银行各营业网点或者通过“江城非税”电子缴款平台缴纳罚款。逾期不缴纳罚款的，本{org}将每日按罚款数额的百分之三加处罚款。",
    "罚款应当自收到本决定书之日起十五日内缴至指定银行账户（可通过“江城非税”缴款平台缴纳）。到期不缴纳罚款的，本{org}可以每日按罚款数额的3%加处罚款。",
    "当事人应于收到本决定书之日起十五日内，通过“江城非税”平台或者到代收银行缴纳罚没款。逾期不缴纳的，每日按罚款数额的百分之三加处罚款，并依法申请人民法院强制执行。",
]
NOTICE = [
    "本{org}于{d}向当事人送达了《行政处罚事先告知书》（{no}），告知其拟作出行政处罚的事实、理由、依据以及依法享有的陈述、申辩权利。当事人在法定期限内未提出陈述、申辩。",
    "{d}，本{org}依法向当事人送达《行政处罚告知书》，告知拟作出的行政处罚内容及其享有的陈述、申辩、要求听证的权利。当事人在规定期限内未提出陈述申辩，也未要求听证。",
    "本{org}于{d}送达了《行政处罚听证告知书》（{no}），当事人未要求听证，亦未提出陈述、申辩意见。",
]


# ---------------------------------------------------------------- groups
# Every case: dict(party=..., date=..., agency=..., seq=..., officers=[(name, cert)], fine=..., base=..., kind=..., reason=(sentence, reason_words) or None, style=0..2, facts=dict)

DISTRICT = {
    "东湖区": dict(
        short="江东",
        streets=["梧桐路", "东亭街", "湖滨大道", "书院路", "东湖路"],
        court="江城市东湖区人民法院",
    ),
    "西江区": dict(
        short="江西",
        streets=["江汉西路", "枫林路", "望江大道", "西关街", "澄江路"],
        court="江城市西江区人民法院",
    ),
    "南湖区": dict(
        short="江南",
        streets=["文昌路", "丁字桥路", "南湖大道", "雅园路", "桂园路"],
        court="江城市南湖区人民法院",
    ),
    "北山区": dict(
        short="江北",
        streets=["北环路", "青松路", "山前大道", "石门街", "松涛路"],
        court="江城市北山区人民法院",
    ),
    "江口区": dict(
        short="江口",
        streets=["沿江大道", "渡口路", "江滩路", "新港路", "鹦鹉洲路"],
        court="江城市江口区人民法院",
    ),
}


def ind(name, sex, born, idno, addr, biz=None, uscc=None, extra=None):
    return dict(
        type="individual",
        name=name,
        sex=sex,
        born=born,
        id=idno,
        addr=addr,
        biz=biz,
        uscc=uscc,
        extra=extra or [],
    )


def org(name, uscc, rep, addr, extra=None):
    return dict(
        type="organization", name=name, uscc=uscc, rep=rep, addr=addr, extra=extra or []
    )


def before(d, days):
    return d - dt.timedelta(days=days)


def build(group, case, nn):
    """Returns (text, meta)."""
    d = D(case["date"])
    dist = case["district"]
    info = DISTRICT[dist]
    agency = group["agency_fmt"].format(d=dist)
    orgword = group.get("orgword", "局")
    year = d.year
    docno = group["docno_fmt"].format(s=info["short"], y=year, n=case["seq"])
    notice_no = (
        docno.replace("罚决字", "罚告字")
        .replace("处罚〔", "罚告〔")
        .replace("罚字", "告字")
    )
    if notice_no == docno:
        notice_no = docno.replace("〔", "告〔", 1)
    style = case.get("style", nn % 3)
    d_reg = before(d, case.get("lag", 48))
    d_not = before(d, case.get("nlag", 19))
    ctx = dict(
        d=d,
        d_reg=d_reg,
        d_not=d_not,
        dist=dist,
        st=info["streets"],
        orgword=orgword,
        c=case,
        p=case["party"],
    )
    if "f" in case and "since" in case["f"]:
        case["f"]["since"] = xun(before(d_reg, case.get("since_days", 20)))
    fact_paras = group["facts"](ctx, style)
    check_dates(group["id"], nn, fact_paras, d_reg)
    evid = group["evidence"][style % len(group["evidence"])]
    law = group["law"](ctx, style)
    notice = NOTICE[style].format(org=orgword, d=date_ar(d_not), no=notice_no)
    disc = group["discretion"](ctx, style)
    reason_words = ""
    mitig_basis = ""
    if case.get("reason"):
        sent, words, basis = case["reason"]
        assert words in sent, (words, sent)
        disc = disc + sent
        reason_words = words
        mitig_basis = basis or ""
    else:
        disc = disc + group["neutral_end"][style % len(group["neutral_end"])]
    decision = group["decision"](ctx, style, mitig_basis)
    pay = PAY[(style + 1) % 3].format(org=orgword)
    remedy = REMEDY[style].format(gov=group["gov"].format(d=dist), court=info["court"])
    off = officers_line(case["officers"])
    head = f"{agency}\n行政处罚决定书\n\n{docno}\n\n{party_block(case['party'])}\n\n"
    body_parts = [fact_paras[0]]
    if style == 1:
        body_parts.append(off)
    body_parts += fact_paras[1:] + [evid, law, notice, disc, decision, pay, remedy]
    if style != 1:
        body_parts.append(off)
    sign = f"\n\n{agency}\n{date_cn(d) if style != 2 else date_ar(d)}\n"
    text = head + paras(*body_parts) + sign
    assert case["fine_str"] in text, (group["id"], nn, case["fine_str"])
    if reason_words:
        assert reason_words in text
    meta = {
        "file": f"decisions/{group['id']}/{nn:02d}.txt",
        "agency": agency,
        "document_number": docno,
        "decision_date": d.isoformat(),
        "party": case["party"]["type"],
        "fine_yuan": float(case["fine"]),
        "base_amount": (float(case["base"]) if case.get("base") is not None else None),
        "officers": [{"name": o[0], "cert_no": o[1]} for o in case["officers"]],
        "kind": case["kind"],
        "expect_inconsistent": case["kind"] in ("outlier_high", "outlier_low"),
        "reason_words": reason_words,
    }
    return text, meta


def xun(d):
    part = "上旬" if d.day <= 10 else ("中旬" if d.day <= 20 else "下旬")
    return f"{d.year}年{d.month}月{part}"


def check_dates(gid, nn, paras_, d_reg):
    """Facts describe events up to the day the case was registered (plus a short 责令 deadline)."""
    import re

    for p in paras_:
        for m in re.finditer(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?", p):
            y, mo, da = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
            when = dt.date(y, mo, da)
            if when > d_reg + dt.timedelta(days=3):
                print("DATE?", gid, nn, m.group(0), "registered", d_reg)


def fine_clause(fine):
    return f"罚款人民币{daxie(fine)}（{int(fine)}元）"


# ================================================================ g01 CG-002 占道 一般
def g01():
    def facts(x, s):
        c, p, d = x["c"], x["p"], x["d"]
        f = c["f"]
        st = x["st"][f["st"]]
        who = "当事人"
        if s == 0:
            return [
                f"当事人擅自占用城市道路{f['what']}一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，{date_ar(x['d_reg'])}，本局执法人员在日常巡查中发现，{who}在{x['dist']}{st}{f['pos']}人行道上{f['act']}，占用城市道路面积约{f['area']}平方米，未取得市政工程行政主管部门和公安交通管理部门的批准。执法人员当场向当事人送达了《责令限期改正通知书》，责令其于{date_ar(x['d_reg'] + dt.timedelta(days=2))}前清除占道物品。复查时，占道物品已清除。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局接到群众反映后派员前往{x['dist']}{st}{f['pos']}进行核查，发现当事人{f['act']}，擅自占用城市道路。本局于当日立案。",
                f"经调查核实：当事人自{f['since']}起{f['act']}，经现场测量，占用城市道路（人行道）面积约{f['area']}平方米，当事人未办理临时占用城市道路许可手续。本局执法人员当场责令其限期改正，当事人已于期限内清理完毕。",
            ]
        return [
            f"当事人未经批准擅自占用城市道路一案，经本局立案调查，现已查明。",
            f"{date_ar(x['d_reg'])}上午，执法人员巡查至{x['dist']}{st}{f['pos']}时，发现该处人行道被{f['act2']}占用，占道面积经测量约为{f['area']}平方米。经询问，上述物品系当事人所有，当事人无法出示占用城市道路的批准文件。执法人员依法下达《责令限期改正通知书》，当事人在期限内予以清除。",
        ]

    def law(x, s):
        if s == 1:
            return "本局认为，当事人未经批准擅自占用城市道路的行为，违反了《城市道路管理条例》第二十七条第（一）项的规定，应当依照《城市道路管理条例》第四十二条的规定予以处罚。"
        return "本局认为，当事人擅自占用城市道路的行为，违反了《城市道路管理条例》第二十七条第（一）项的规定。该条例第四十二条规定：“……由市政工程行政主管部门或者其他有关部门责令限期改正，可以处以2万元以下的罚款；造成损失的，应当依法承担赔偿责任。”"

    def disc(x, s):
        a = x["c"]["f"]["area"]
        if s == 0:
            return f"关于处罚裁量：当事人占用城市道路面积约{a}平方米，对照《江城市城市管理行政处罚裁量基准》，属于“占用面积10平方米以上50平方米以下”的“一般”情形，该档次罚款幅度为2000元以上8000元以下。"
        if s == 1:
            return f"根据《江城市城市管理行政处罚裁量基准》，当事人占道面积{a}平方米，在10平方米以上50平方米以下，适用“一般”档次（罚款2000元至8000元）。"
        return f"对照《江城市城市管理行政处罚裁量基准》，当事人的违法行为占用面积为{a}平方米，属“一般”情形，对应罚款2000元以上8000元以下。"

    def decision(x, s, mb):
        basis = "《城市道路管理条例》第四十二条" + ("、" + mb if mb else "")
        return f"综上，依据{basis}的规定，本局决定对当事人作出如下行政处罚：{fine_clause(x['c']['fine'])}。"

    O = {
        "周": ("周立新", "42010210317"),
        "黄": ("黄晓峰", "42010210352"),
        "许": ("许文静", "42010210388"),
        "罗": ("罗建军", "42010310126"),
        "沈": ("沈佳怡", "42010310141"),
        "韩": ("韩磊", "42010410075"),
        "唐": ("唐明", "42010410093"),
    }
    F = lambda st, pos, what, act, act2, area, since: dict(
        st=st, pos=pos, what=what, act=act, act2=act2, area=area, since=since
    )
    cases = [
        dict(
            district="东湖区",
            seq=37,
            date="2024-03-18",
            party=ind(
                "王某某",
                "男",
                "1979年6月",
                "42010619790612****",
                "江城市东湖区梧桐路18号3栋",
            ),
            officers=[O["周"], O["黄"]],
            fine=3000,
            kind="ordinary",
            f=F(
                0,
                "28号门前",
                "堆放物料",
                "堆放装修用砂石、砖块等建筑材料",
                "砂石、砖块等建筑材料",
                18,
                "2024年3月初",
            ),
        ),
        dict(
            district="东湖区",
            seq=112,
            date="2024-09-05",
            party=org(
                "江城市鑫源建材有限公司",
                "91420102MA4L2C7H1P",
                "刘某某",
                "江城市东湖区东亭街66号",
            ),
            officers=[O["黄"], O["许"]],
            fine=4000,
            kind="ordinary",
            f=F(
                1,
                "66号门前",
                "堆放物料",
                "在门前人行道上堆放瓷砖、板材等货物",
                "瓷砖、板材等货物",
                26,
                "2024年8月中旬",
            ),
        ),
        dict(
            district="西江区",
            seq=21,
            date="2024-12-11",
            party=ind(
                "陈某某",
                "女",
                "1986年11月",
                "42010319861103****",
                "江城市西江区枫林路7号",
                biz="江城市西江区陈记水果店",
                uscc="92420103MA4KU8L21Q",
            ),
            officers=[O["罗"], O["沈"]],
            fine=3000,
            kind="ordinary",
            f=F(
                1,
                "7号门前",
                "摆摊经营",
                "在店外人行道上摆放货架、水果筐超出门店经营",
                "货架、水果筐",
                14,
                "2024年10月",
            ),
        ),
        dict(
            district="南湖区",
            seq=58,
            date="2025-04-22",
            party=org(
                "江城市南湖区好邻居餐饮管理有限公司",
                "91420106MA4M0T5E6K",
                "赵某某",
                "江城市南湖区文昌路202号",
            ),
            officers=[O["韩"], O["唐"]],
            fine=5000,
            kind="ordinary",
            f=F(
                0,
                "202号门前",
                "摆放桌椅经营",
                "摆放餐桌、座椅及遮阳伞进行露天经营",
                "餐桌、座椅及遮阳伞",
                32,
                "2025年4月初",
            ),
        ),
        dict(
            district="东湖区",
            seq=76,
            date="2025-07-09",
            party=ind(
                "李某某",
                "男",
                "1972年2月",
                "42010219720228****",
                "江城市东湖区湖滨大道140号",
            ),
            officers=[O["周"], O["许"]],
            fine=8000,
            kind="outlier_high",
            f=F(
                2,
                "140号对面",
                "堆放物料",
                "堆放废旧钢管、模板等物品",
                "废旧钢管、模板等物品",
                22,
                "2025年6月",
            ),
        ),
        dict(
            district="西江区",
            seq=93,
            date="2025-10-14",
            party=org(
                "江城市西江区汇通物流有限公司",
                "91420103MA4N3R8W2D",
                "孙某某",
                "江城市西江区望江大道318号",
            ),
            officers=[O["沈"], O["罗"]],
            fine=3500,
            kind="ordinary",
            f=F(
                2,
                "318号门前",
                "堆放货物",
                "在门前人行道上堆放待装运的纸箱货物",
                "纸箱货物",
                20,
                "2025年9月",
            ),
        ),
        dict(
            district="北山区",
            seq=17,
            date="2025-12-03",
            party=ind(
                "张某某",
                "男",
                "1990年8月",
                "42010719900815****",
                "江城市北山区青松路55号",
                biz="江城市北山区张氏五金店",
                uscc="92420107MA4P6D3X9B",
            ),
            officers=[O["韩"], O["黄"]],
            fine=2000,
            kind="outlier_low",
            f=F(
                0,
                "55号门前",
                "摆摊经营",
                "摆放五金货架及铁丝网卷材进行经营",
                "五金货架及铁丝网卷材",
                24,
                "2025年11月",
            ),
        ),
        dict(
            district="南湖区",
            seq=41,
            date="2026-03-16",
            party=ind(
                "杨某某",
                "女",
                "1983年5月",
                "42010619830509****",
                "江城市南湖区雅园路9号",
            ),
            officers=[O["唐"], O["韩"]],
            fine=8000,
            kind="control_reason",
            f=F(
                1,
                "9号门前",
                "堆放物料",
                "在人行道上堆放装修垃圾及建筑材料",
                "装修垃圾及建筑材料",
                19,
                "2026年2月底",
            ),
            reason=(
                "另查明，当事人曾于2025年6月因在同一路段擅自占用城市道路堆放物料，被本局给予罚款处罚（江南城管罚决字〔2025〕第33号），此次系再次实施同类违法行为，主观过错明显，本局在该档次内从重确定罚款数额。",
                "曾于2025年6月因在同一路段擅自占用城市道路堆放物料，被本局给予罚款处罚",
                None,
            ),
        ),
        dict(
            district="东湖区",
            seq=29,
            date="2026-06-24",
            party=org(
                "江城市东湖区宏福酒店管理有限公司",
                "91420102MA4Q1B6N5T",
                "钱某某",
                "江城市东湖区书院路88号",
            ),
            officers=[O["许"], O["周"]],
            fine=2000,
            kind="control_reason",
            f=F(
                2,
                "88号东侧",
                "堆放物料",
                "堆放装修用木料、石膏板等",
                "木料、石膏板等装修材料",
                16,
                "2026年5月",
            ),
            reason=(
                "鉴于当事人在执法人员指出后当即组织人员清理占道物料，并对受损的人行道砖自行修复，主动消除了违法行为的危害后果，符合《中华人民共和国行政处罚法》第三十二条第（一）项规定的情形，本局依法在该档次内从轻处罚。",
                "主动消除了违法行为的危害后果，符合《中华人民共和国行政处罚法》第三十二条第（一）项规定的情形",
                "《中华人民共和国行政处罚法》第三十二条第（一）项",
            ),
        ),
        dict(
            district="北山区",
            seq=88,
            date="2026-10-20",
            party=ind(
                "吴某某",
                "男",
                "1968年9月",
                "42010719680921****",
                "江城市北山区山前大道12号",
            ),
            officers=[O["黄"], O["韩"]],
            fine=4500,
            kind="ordinary",
            f=F(
                1,
                "12号门前",
                "堆放物料",
                "在人行道上堆放回收的废旧纸板、塑料瓶",
                "废旧纸板、塑料瓶",
                28,
                "2026年9月",
            ),
        ),
    ]
    for c in cases:
        c["fine_str"] = f"（{c['fine']}元）"
    return dict(
        id="g01",
        item_id="CG-002",
        tier="一般",
        agency_fmt="江城市{d}城市管理局",
        docno_fmt="{s}城管罚决字〔{y}〕第{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查（勘验）笔录及复查笔录；2.现场照片及执法记录仪视频；3.对当事人的询问笔录；4.当事人身份证明材料；5.《责令限期改正通知书》及送达回证。以上证据经查证属实，足以认定。",
            "以上事实，有现场检查笔录、现场照片、询问笔录、测量记录、当事人身份证明材料及复查笔录等证据证实。",
            "认定上述事实的证据有：现场检查笔录1份、现场照片6张、询问笔录1份、现场测量图1份、当事人主体资格证明材料、责令限期改正通知书及复查记录。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款数额。",
            "综合本案违法情节，本局在该档次内确定处罚金额。",
            "本局结合当事人违法行为的具体情节，在上述幅度内确定罚款数额。",
        ],
        note="擅自占用城市道路（堆放物料、摆摊经营），占用面积10–50平方米，“一般”档罚款2000–8000元。普通案件罚款3000–5000元；两例无理由的极端值（8000元、2000元）；两例有理由的极端值（曾因同类行为受罚从重；主动消除危害后果依第三十二条第（一）项从轻）。",
        cases=cases,
    )


# ================================================================ g02 CG-004 餐饮油烟 一般
def g02():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"当事人超标排放餐饮油烟一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，当事人在{x['dist']}{st}{f['no']}经营“{f['shop']}”，经营场所使用面积约{f['area']}平方米。{date_ar(x['d_reg'])}，本局执法人员会同第三方检测机构对当事人油烟排放情况进行检查检测，发现当事人{f['issue']}，经检测，其油烟排放浓度为{f['conc']}毫克/立方米，超过《饮食业油烟排放标准》规定的2.0毫克/立方米。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局根据市民投诉，对当事人位于{x['dist']}{st}{f['no']}的“{f['shop']}”进行检查，并于当日立案。",
                f"经调查：当事人经营场所使用面积约{f['area']}平方米，{f['issue']}。经江城市环境监测站采样检测，当事人油烟排放浓度为{f['conc']}mg/m³，超过国家规定的排放标准。",
            ]
        return [
            "当事人餐饮油烟超标排放一案，经本局立案调查，现已查明。",
            f"当事人经营的“{f['shop']}”位于{x['dist']}{st}{f['no']}，使用面积约{f['area']}平方米。{date_ar(x['d_reg'])}执法人员检查时发现，当事人{f['issue']}。经委托检测，油烟排放浓度为{f['conc']}毫克/立方米，超过排放标准。",
        ]

    def law(x, s):
        return "本局认为，当事人超过排放标准排放油烟的行为，违反了《中华人民共和国大气污染防治法》第八十一条第一款的规定。依据《中华人民共和国大气污染防治法》第一百一十八条第一款的规定，应由县级以上地方人民政府确定的监督管理部门责令改正，处五千元以上五万元以下的罚款。"

    def disc(x, s):
        a = x["c"]["f"]["area"]
        if s == 0:
            return f"关于处罚裁量：当事人经营场所使用面积约{a}平方米，依照《江城市城市管理行政处罚裁量基准》，属“经营场所使用面积100平方米以上500平方米以下”的“一般”情形，罚款幅度为1万元以上3万元以下。"
        if s == 1:
            return f"当事人经营场所面积{a}平方米，适用《江城市城市管理行政处罚裁量基准》“一般”档次（罚款1万元以上3万元以下）。"
        return f"根据《江城市城市管理行政处罚裁量基准》，当事人经营场所使用面积为{a}平方米，处于100平方米以上500平方米以下，对应“一般”情形，罚款10000元至30000元。"

    def decision(x, s, mb):
        basis = "《中华人民共和国大气污染防治法》第一百一十八条第一款" + (
            "、" + mb if mb else ""
        )
        return f"依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令改正；二、{fine_clause(x['c']['fine'])}。"

    O = {
        "马": ("马俊", "42010510211"),
        "何": ("何丽娟", "42010510236"),
        "邓": ("邓志远", "42010610307"),
        "冯": ("冯涛", "42010610319"),
        "曹": ("曹雪梅", "42010710402"),
        "彭": ("彭浩", "42010710427"),
    }
    F = lambda st, no, shop, area, issue, conc: dict(
        st=st, no=no, shop=shop, area=area, issue=issue, conc=conc
    )
    cases = [
        dict(
            district="西江区",
            seq=14,
            date="2024-02-27",
            party=org(
                "江城市蜀香居餐饮有限公司",
                "91420103MA4K9P2L3M",
                "钟某某",
                "江城市西江区澄江路21号",
            ),
            officers=[O["马"], O["何"]],
            fine=15000,
            kind="ordinary",
            f=F(4, "21号", "蜀香居火锅", 260, "安装的油烟净化设施未正常使用", "4.6"),
        ),
        dict(
            district="东湖区",
            seq=63,
            date="2024-07-30",
            party=ind(
                "胡某某",
                "男",
                "1981年3月",
                "42010219810317****",
                "江城市东湖区东湖路52号",
                biz="江城市东湖区胡记烧烤店",
                uscc="92420102MA4L7T2K0A",
            ),
            officers=[O["邓"], O["冯"]],
            fine=15000,
            kind="ordinary",
            f=F(
                4,
                "52号",
                "胡记烧烤",
                140,
                "未安装油烟净化设施，油烟经排风扇直接排放",
                "5.1",
            ),
        ),
        dict(
            district="南湖区",
            seq=102,
            date="2024-11-19",
            party=org(
                "江城市南湖区味满堂酒楼有限公司",
                "91420106MA4M2H9J7R",
                "谢某某",
                "江城市南湖区桂园路8号",
            ),
            officers=[O["曹"], O["彭"]],
            fine=18000,
            kind="ordinary",
            f=F(
                4,
                "8号",
                "味满堂酒楼",
                420,
                "油烟净化设施长期未清洗维护，净化效率明显下降",
                "3.9",
            ),
        ),
        dict(
            district="西江区",
            seq=57,
            date="2025-05-13",
            party=ind(
                "郑某某",
                "女",
                "1985年12月",
                "42010319851208****",
                "江城市西江区西关街17号",
                biz="江城市西江区郑家小厨",
                uscc="92420103MA4N5F1C8E",
            ),
            officers=[O["何"], O["马"]],
            fine=30000,
            kind="outlier_high",
            f=F(3, "17号", "郑家小厨", 180, "未正常使用油烟净化设施", "4.2"),
        ),
        dict(
            district="东湖区",
            seq=19,
            date="2025-09-02",
            party=org(
                "江城市东湖区粤海餐饮管理有限公司",
                "91420102MA4P3W5Y6U",
                "林某某",
                "江城市东湖区书院路116号",
            ),
            officers=[O["冯"], O["邓"]],
            fine=20000,
            kind="ordinary",
            f=F(
                3,
                "116号",
                "粤海茶餐厅",
                350,
                "油烟净化设施故障停用，油烟未经处理直接排放",
                "4.8",
            ),
        ),
        dict(
            district="北山区",
            seq=35,
            date="2025-12-22",
            party=ind(
                "高某某",
                "男",
                "1977年7月",
                "42010719770704****",
                "江城市北山区松涛路30号",
                biz="江城市北山区高记大排档",
                uscc="92420107MA4Q8G2V3L",
            ),
            officers=[O["曹"], O["彭"]],
            fine=30000,
            kind="control_reason",
            f=F(
                4,
                "30号",
                "高记大排档",
                210,
                "未安装油烟净化设施，油烟通过排风管直排",
                "6.8",
            ),
            reason=(
                "同时，经检测当事人油烟排放浓度达6.8毫克/立方米，超过排放标准2.4倍，且油烟排放口正对相邻居民住宅窗户，对周边居民生活影响较大，本局在该档次内从重处罚。",
                "超过排放标准2.4倍，且油烟排放口正对相邻居民住宅窗户",
                None,
            ),
        ),
        dict(
            district="南湖区",
            seq=24,
            date="2026-04-08",
            party=org(
                "江城市南湖区老码头餐饮有限公司",
                "91420106MA4R6K8B2N",
                "罗某某",
                "江城市南湖区南湖大道77号",
            ),
            officers=[O["彭"], O["曹"]],
            fine=16000,
            kind="ordinary",
            f=F(2, "77号", "老码头鱼馆", 300, "油烟净化设施未开启运行", "3.6"),
        ),
        dict(
            district="西江区",
            seq=88,
            date="2026-07-14",
            party=ind(
                "谭某某",
                "男",
                "1988年1月",
                "42010319880126****",
                "江城市西江区枫林路40号",
                biz="江城市西江区谭记干锅店",
                uscc="92420103MA4S1D7H5W",
            ),
            officers=[O["马"], O["何"]],
            fine=10000,
            kind="control_reason",
            f=F(
                1,
                "40号",
                "谭记干锅",
                160,
                "油烟净化设施损坏后未及时维修，油烟未经净化直接排放",
                "3.3",
            ),
            reason=(
                "鉴于当事人在立案后即自行停业整改，更换了油烟净化设施并经检测达标排放，主动消除了违法行为危害后果，依照《中华人民共和国行政处罚法》第三十二条第（一）项的规定，本局对其从轻处罚。",
                "主动消除了违法行为危害后果，依照《中华人民共和国行政处罚法》第三十二条第（一）项的规定",
                "《中华人民共和国行政处罚法》第三十二条第（一）项",
            ),
        ),
    ]
    for c in cases:
        c["fine_str"] = f"（{c['fine']}元）"
    return dict(
        id="g02",
        item_id="CG-004",
        tier="一般",
        agency_fmt="江城市{d}城市管理局",
        docno_fmt="{s}城管罚决字〔{y}〕第{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查笔录；2.检测报告；3.现场照片；4.询问笔录；5.当事人营业执照复印件及身份证明材料。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、油烟检测报告、现场照片、询问笔录、营业执照及法定代表人身份证明等证据为证。",
            "上述违法事实，有现场检查笔录、检测报告、照片、调查询问笔录、主体资格证明材料等证据证实。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的性质、情节及社会危害程度，在该档次内确定罚款数额。",
            "本局结合本案具体情节，在该档次内确定罚款金额。",
            "综合考量本案事实、情节，本局在上述罚款幅度内确定处罚数额。",
        ],
        note="餐饮服务业超标排放油烟，经营场所100–500平方米，“一般”档罚款1万–3万元。决定日期均在2026-08-15（生态环境法典施行）之前，引用大气污染防治法。普通案件15000–20000元；一例无理由顶格（30000元）；两例有理由的极端值（超标2.4倍且正对住宅从重；更换设施达标排放依第三十二条第（一）项从轻至10000元）。",
        cases=cases,
    )


# ================================================================ g03 CG-011 大型户外广告 一般 每平方米
def g03():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"当事人未经同意擅自设置大型户外广告一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，当事人于{f['since']}在{x['dist']}{st}{f['pos']}设置{f['kind']}“{f['text']}”1块，尺寸为{f['dim']}，面积共计{f['area']}平方米，未经城市市容环境卫生行政主管部门同意。本局执法人员于{date_ar(x['d_reg'])}向当事人送达了《责令限期改正通知书》，责令其停止违法行为并限期拆除。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局执法人员在{x['dist']}{st}巡查时发现，{f['pos']}设有{f['kind']}一块，内容为“{f['text']}”。经核查，该广告系当事人设置，未取得户外广告设置许可，本局于当日立案。",
                f"经调查：涉案广告于{f['since']}设置，尺寸{f['dim']}，经测量面积为{f['area']}平方米，当事人未经同意擅自设置，影响市容。执法人员当场责令当事人停止违法行为、限期拆除。",
            ]
        return [
            "当事人擅自设置大型户外广告一案，经本局立案调查，现已查明。",
            f"当事人未经市容环境卫生主管部门同意，于{f['since']}在{x['dist']}{st}{f['pos']}擅自设置{f['kind']}（内容：“{f['text']}”），规格{f['dim']}，面积{f['area']}平方米。{date_ar(x['d_reg'])}执法人员检查发现后依法责令其限期拆除。",
        ]

    def law(x, s):
        return "本局认为，当事人的上述行为违反了《城市市容和环境卫生管理条例》第十一条的规定。依据《城市市容和环境卫生管理条例》第三十六条第（一）项及《江城市城市市容和环境卫生管理条例》第四十二条的规定，未经同意擅自设置大型户外广告，影响市容的，责令停止违法行为，限期清理、拆除或者采取其他补救措施，并按照广告面积每平方米五十元以上二百元以下处以罚款。"

    def disc(x, s):
        a = x["c"]["f"]["area"]
        if s == 0:
            return f"关于处罚裁量：涉案广告面积{a}平方米，对照《江城市城市管理行政处罚裁量基准》，属于“广告面积10平方米以上50平方米以下”的“一般”情形，该档次罚款标准为每平方米100元以上150元以下。"
        if s == 1:
            return f"依照《江城市城市管理行政处罚裁量基准》，涉案广告面积{a}平方米，适用“一般”档次，按每平方米100元至150元处以罚款。"
        return f"根据《江城市城市管理行政处罚裁量基准》，本案广告面积为{a}平方米，属“一般”情形，罚款标准为每平方米100元以上150元以下。"

    def decision(x, s, mb):
        c = x["c"]
        basis = (
            "《城市市容和环境卫生管理条例》第三十六条第（一）项、《江城市城市市容和环境卫生管理条例》第四十二条"
            + ("、" + mb if mb else "")
        )
        return f"综上，依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令停止违法行为，限期拆除涉案广告；二、按照广告面积每平方米{c['rate']}元处以罚款，计{c['base']}平方米×{c['rate']}元/平方米，{fine_clause(c['fine'])}。"

    O = {
        "林": ("林海涛", "42010220143"),
        "蔡": ("蔡文博", "42010220158"),
        "袁": ("袁芳", "42010320212"),
        "蒋": ("蒋卫东", "42010320237"),
        "魏": ("魏晨", "42010620318"),
        "薛": ("薛凯", "42010620344"),
    }
    F = lambda st, pos, kind, text, dim, area, since: dict(
        st=st, pos=pos, kind=kind, text=text, dim=dim, area=area, since=since
    )
    raw = [
        (
            "东湖区",
            45,
            "2024-04-16",
            org(
                "江城市东湖区美途旅行社有限公司",
                "91420102MA4K3E9R5S",
                "王某某",
                "江城市东湖区东湖路12号",
            ),
            ["林", "蔡"],
            120,
            "ordinary",
            F(
                0,
                "12号楼顶",
                "楼顶立式广告牌",
                "美途旅行·说走就走",
                "6米×4米",
                24,
                "2024年3月",
            ),
        ),
        (
            "西江区",
            71,
            "2024-08-08",
            ind(
                "刘某某",
                "男",
                "1980年10月",
                "42010319801019****",
                "江城市西江区望江大道90号",
                biz="江城市西江区刘氏汽车美容店",
                uscc="92420103MA4L4B8N6C",
            ),
            ["袁", "蒋"],
            110,
            "ordinary",
            F(
                2,
                "90号外墙",
                "墙体喷绘广告",
                "刘氏汽车美容 洗车打蜡",
                "5米×3米",
                15,
                "2024年6月",
            ),
        ),
        (
            "南湖区",
            33,
            "2025-01-21",
            org(
                "江城市南湖区博学教育咨询有限公司",
                "91420106MA4M9C2X4D",
                "方某某",
                "江城市南湖区南湖大道150号",
            ),
            ["魏", "薛"],
            120,
            "ordinary",
            F(
                2,
                "150号二楼外墙",
                "外墙灯箱广告",
                "博学教育 暑期提分班",
                "8米×4米",
                32,
                "2024年12月",
            ),
        ),
        (
            "东湖区",
            98,
            "2025-06-03",
            ind(
                "孙某某",
                "女",
                "1984年4月",
                "42010219840422****",
                "江城市东湖区梧桐路61号",
                biz="江城市东湖区孙记家常菜馆",
                uscc="92420102MA4N2J6P8F",
            ),
            ["蔡", "林"],
            150,
            "outlier_high",
            F(
                0,
                "61号门头上方",
                "外墙立体字广告牌",
                "孙记家常菜 实惠可口",
                "7米×2.5米",
                17.5,
                "2025年4月",
            ),
        ),
        (
            "西江区",
            12,
            "2025-08-27",
            org(
                "江城市西江区康泰医药连锁有限公司",
                "91420103MA4P4K7T1G",
                "贺某某",
                "江城市西江区枫林路133号",
            ),
            ["蒋", "袁"],
            125,
            "ordinary",
            F(
                1,
                "133号外墙",
                "落地式广告牌",
                "康泰大药房 医保定点",
                "6米×3米",
                18,
                "2025年7月",
            ),
        ),
        (
            "北山区",
            60,
            "2025-11-12",
            org(
                "江城市北山区安居房地产经纪有限公司",
                "91420107MA4Q5L3M9H",
                "陶某某",
                "江城市北山区北环路8号",
            ),
            ["魏", "薛"],
            100,
            "outlier_low",
            F(
                0,
                "8号楼顶",
                "楼顶立式广告牌",
                "安居地产 买房卖房找安居",
                "9米×4米",
                36,
                "2025年10月",
            ),
        ),
        (
            "南湖区",
            77,
            "2026-02-25",
            ind(
                "宋某某",
                "男",
                "1975年9月",
                "42010619750911****",
                "江城市南湖区丁字桥路45号",
                biz="江城市南湖区宋氏家具店",
                uscc="92420106MA4R7M2Q3J",
            ),
            ["薛", "魏"],
            115,
            "ordinary",
            F(
                1,
                "45号外墙",
                "墙体喷绘广告",
                "宋氏家具 实木定制",
                "7米×3米",
                21,
                "2026年1月",
            ),
        ),
        (
            "东湖区",
            39,
            "2026-05-19",
            org(
                "江城市东湖区鼎盛汽车销售服务有限公司",
                "91420102MA4S8N4R2K",
                "姚某某",
                "江城市东湖区湖滨大道201号",
            ),
            ["林", "袁"],
            150,
            "control_reason",
            F(
                2,
                "201号路口",
                "落地式广告牌",
                "鼎盛汽车 新车上市",
                "8米×5米",
                40,
                "2026年4月",
            ),
        ),
        (
            "北山区",
            22,
            "2026-08-26",
            ind(
                "范某某",
                "男",
                "1987年3月",
                "42010719870315****",
                "江城市北山区石门街19号",
                biz="江城市北山区范记烟酒商行",
                uscc="92420107MA4T9P5S1L",
            ),
            ["蔡", "魏"],
            100,
            "control_reason",
            F(
                0,
                "19号外墙",
                "外墙灯箱广告",
                "范记烟酒 名酒名烟",
                "4米×3米",
                12,
                "2026年7月",
            ),
        ),
        (
            "西江区",
            84,
            "2026-11-04",
            org(
                "江城市西江区悦动健身服务有限公司",
                "91420103MA4U1Q6T3M",
                "洪某某",
                "江城市西江区澄江路66号",
            ),
            ["袁", "蒋"],
            120,
            "ordinary",
            F(
                2,
                "66号三楼外墙",
                "外墙灯箱广告",
                "悦动健身 年卡特惠",
                "7米×4米",
                28,
                "2026年10月",
            ),
        ),
    ]
    reasons = {
        7: (
            "另查明，涉案广告牌设置于湖滨大道与书院路交叉口转角处，遮挡了交通指示标志，对过往车辆和行人的通行安全造成影响，本局在该档次内从重处罚。",
            "遮挡了交通指示标志，对过往车辆和行人的通行安全造成影响",
            None,
        ),
        8: (
            "鉴于当事人在收到《责令限期改正通知书》的次日即自行拆除了涉案广告，并对墙面进行了清理修复，主动消除了违法行为危害后果，根据《中华人民共和国行政处罚法》第三十二条第（一）项的规定，本局决定对其从轻处罚。",
            "主动消除了违法行为危害后果，根据《中华人民共和国行政处罚法》第三十二条第（一）项的规定",
            "《中华人民共和国行政处罚法》第三十二条第（一）项",
        ),
    }
    cases = []
    for i, (dist, seq, date, party, offs, rate, kind, f) in enumerate(raw):
        area = f["area"]
        fine = area * rate
        assert fine == int(fine)
        c = dict(
            district=dist,
            seq=seq,
            date=date,
            party=party,
            officers=[O[o] for o in offs],
            rate=rate,
            base=area,
            fine=int(fine),
            kind=kind,
            f=f,
        )
        if i in reasons:
            c["reason"] = reasons[i]
        c["fine_str"] = f"（{int(fine)}元）"
        cases.append(c)
    return dict(
        id="g03",
        item_id="CG-011",
        tier="一般",
        agency_fmt="江城市{d}城市管理局",
        docno_fmt="{s}城管罚决字〔{y}〕第{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查笔录；2.现场照片；3.广告面积测量记录；4.询问笔录；5.当事人主体资格证明材料；6.《责令限期改正通知书》。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、现场照片、测量记录、询问笔录、营业执照复印件等证据证实。",
            "认定上述事实的证据有：现场检查笔录、现场照片、广告尺寸测量记录、调查询问笔录、当事人身份（主体）证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款标准。",
            "本局结合本案情节，在该档次内确定每平方米罚款数额。",
            "综合本案具体情况，本局在上述标准范围内确定罚款数额。",
        ],
        note="未经同意擅自设置大型户外广告，面积10–50平方米，“一般”档按每平方米100–150元罚款（per-unit item; base_amount = 广告面积平方米）。普通案件每平方米110–125元；两例无理由的极端值（150元/平方米、100元/平方米）；两例有理由的极端值（遮挡交通指示标志从重150元/平方米；次日自行拆除依第三十二条第（一）项从轻100元/平方米）。",
        cases=cases,
    )


# ================================================================ g04 CG-003 渣土车未密闭 一般 (selective enforcement)
def g04():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        p = x["p"]
        owner = "当事人所有的" if p["type"] == "individual" else "当事人所属的"
        if s == 0:
            return [
                f"当事人运输渣土车辆未采取密闭措施防止物料遗撒一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，{date_ar(x['d_reg'])}{f['time']}，{owner}{f['plate']}重型自卸货车（驾驶员{f['driver']}）在{x['dist']}{st}{f['seg']}运输{f['load']}，车厢未采取密闭措施，造成沿途物料遗撒，遗撒路面面积约{f['area']}平方米。执法人员当场责令其改正，并通知环卫作业单位对遗撒路面进行了清扫。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}{f['time']}，本局执法人员在{x['dist']}{st}开展渣土运输专项检查时，发现{f['plate']}重型自卸货车运输{f['load']}未密闭，{f['seg']}路面有明显遗撒。本局于当日立案。",
                f"经调查：该车辆登记所有人为当事人，驾驶员{f['driver']}受当事人安排运输，车辆篷布未覆盖严密，物料沿途遗撒，经测量遗撒路面面积约{f['area']}平方米，未及时清理。执法人员当场责令改正。",
            ]
        return [
            "当事人运输车辆未采取密闭措施造成物料遗撒一案，经本局立案调查，现已查明。",
            f"{date_ar(x['d_reg'])}{f['time']}，{owner}{f['plate']}自卸货车在{x['dist']}{st}{f['seg']}运输{f['load']}时，未采取密闭或者其他措施，导致物料撒落于道路上，遗撒面积约{f['area']}平方米。驾驶员{f['driver']}对上述事实予以确认。",
        ]

    def law(x, s):
        return "本局认为，当事人运输散装物料的车辆未采取密闭或者其他措施防止物料遗撒，违反了《中华人民共和国大气污染防治法》第七十条第一款的规定。依据《中华人民共和国大气污染防治法》第一百一十六条的规定，由县级以上地方人民政府确定的监督管理部门责令改正，处二千元以上二万元以下的罚款。"

    def disc(x, s):
        a = x["c"]["f"]["area"]
        if s == 0:
            return f"关于处罚裁量：本案遗撒面积约{a}平方米，对照《江城市城市管理行政处罚裁量基准》，属于“遗撒面积10平方米以上50平方米以下”的“一般”情形，该档次罚款幅度为5000元以上12000元以下。"
        if s == 1:
            return f"依照《江城市城市管理行政处罚裁量基准》，本案遗撒面积{a}平方米，适用“一般”档次（罚款5000元以上12000元以下）。"
        return f"根据《江城市城市管理行政处罚裁量基准》，遗撒面积{a}平方米属“一般”情形，对应罚款5000元至12000元。"

    def decision(x, s, mb):
        basis = "《中华人民共和国大气污染防治法》第一百一十六条" + (
            "、" + mb if mb else ""
        )
        return f"依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令改正；二、{fine_clause(x['c']['fine'])}。"

    A = ("钱志刚", "42010830115")
    O = {
        "钱": A,
        "陆": ("陆振华", "42010830127"),
        "秦": ("秦雨", "42010830139"),
        "任": ("任广平", "42010830146"),
        "梁": ("梁晓东", "42010830152"),
        "叶": ("叶青", "42010830168"),
    }
    F = lambda st, seg, time, plate, driver, load, area: dict(
        st=st, seg=seg, time=time, plate=plate, driver=driver, load=load, area=area
    )
    cases = [
        dict(
            district="江口区",
            seq=16,
            date="2024-03-26",
            party=org(
                "江城市江口区顺达土石方工程有限公司",
                "91420105MA4K2F7G8N",
                "邱某某",
                "江城市江口区新港路210号",
            ),
            officers=[O["陆"], O["秦"]],
            fine=7000,
            kind="ordinary",
            f=F(
                0, "新港路口至渡口路段", "22时40分", "鄂A·7K3××", "周某", "建筑渣土", 25
            ),
        ),
        dict(
            district="江口区",
            seq=52,
            date="2024-06-18",
            party=ind(
                "彭某某",
                "男",
                "1976年5月",
                "42010519760503****",
                "江城市江口区江滩路33号",
            ),
            officers=[A, O["叶"]],
            fine=10000,
            kind="ordinary",
            f=F(
                1,
                "与江滩路交叉口东侧",
                "23时10分",
                "鄂A·3M8××",
                "彭某某",
                "工程渣土",
                18,
            ),
        ),
        dict(
            district="北山区",
            seq=70,
            date="2024-10-09",
            party=org(
                "江城市北山区宏远运输有限公司",
                "91420107MA4L6H3J2P",
                "龚某某",
                "江城市北山区北环路388号",
            ),
            officers=[A, O["梁"]],
            fine=6000,
            kind="ordinary",
            f=F(0, "北环立交至石门街段", "21时55分", "鄂A·5P2××", "蒋某", "砂石", 30),
        ),
        dict(
            district="江口区",
            seq=9,
            date="2025-02-20",
            party=ind(
                "万某某",
                "男",
                "1982年8月",
                "42010519820821****",
                "江城市江口区渡口路77号",
            ),
            officers=[O["任"], O["陆"]],
            fine=7000,
            kind="ordinary",
            f=F(
                2,
                "与渡口路交叉口路段",
                "0时20分",
                "鄂A·9D6××",
                "万某某",
                "建筑渣土",
                21,
            ),
        ),
        dict(
            district="北山区",
            seq=44,
            date="2025-05-28",
            party=ind(
                "段某某",
                "男",
                "1979年12月",
                "42010719791209****",
                "江城市北山区松涛路102号",
            ),
            officers=[A, O["叶"]],
            fine=10500,
            kind="ordinary",
            f=F(1, "与松涛路交叉口", "22时05分", "鄂A·2R7××", "段某某", "工程渣土", 24),
        ),
        dict(
            district="江口区",
            seq=83,
            date="2025-09-16",
            party=org(
                "江城市江口区恒通渣土运输有限公司",
                "91420105MA4N8K1L5Q",
                "雷某某",
                "江城市江口区沿江大道560号",
            ),
            officers=[O["梁"], O["秦"]],
            fine=8000,
            kind="ordinary",
            f=F(
                0,
                "与江滩路交叉口至新港路口段",
                "23时35分",
                "鄂A·6T9××",
                "黎某",
                "建筑渣土",
                34,
            ),
        ),
        dict(
            district="北山区",
            seq=15,
            date="2026-01-13",
            party=org(
                "江城市北山区金石建设工程有限公司",
                "91420107MA4P2M4N7R",
                "熊某某",
                "江城市北山区山前大道46号",
            ),
            officers=[A, O["梁"]],
            fine=6000,
            kind="ordinary",
            f=F(2, "北段", "21时30分", "鄂A·8W1××", "毛某", "土方", 27),
        ),
        dict(
            district="江口区",
            seq=27,
            date="2026-03-04",
            party=org(
                "江城市江口区通衢物流有限公司",
                "91420105MA4Q7P9R3S",
                "付某某",
                "江城市江口区鹦鹉洲路19号",
            ),
            officers=[O["秦"], O["任"]],
            fine=5000,
            kind="outlier_low",
            f=F(4, "江滩公园段", "22时50分", "鄂A·4H5××", "汤某", "砂石", 29),
        ),
        dict(
            district="北山区",
            seq=38,
            date="2026-04-21",
            party=ind(
                "石某某",
                "男",
                "1985年2月",
                "42010719850214****",
                "江城市北山区石门街23号",
            ),
            officers=[O["任"], O["秦"]],
            fine=12000,
            kind="control_reason",
            f=F(3, "东段", "16时40分", "鄂A·1C3××", "石某某", "建筑渣土", 20),
            reason=(
                "另查明，本次遗撒路段位于江城市北山区第二实验小学校门前，遗撒发生时正值学生放学时段，泥土撒落导致路面湿滑，对师生通行安全造成较大影响，本局在该档次内从重处罚。",
                "遗撒路段位于江城市北山区第二实验小学校门前，遗撒发生时正值学生放学时段",
                None,
            ),
        ),
        dict(
            district="江口区",
            seq=61,
            date="2026-07-07",
            party=ind(
                "龙某某",
                "男",
                "1983年6月",
                "42010519830627****",
                "江城市江口区新港路148号",
            ),
            officers=[A, O["叶"]],
            fine=10000,
            kind="ordinary",
            f=F(3, "新港货运站路段", "23时45分", "鄂A·7F8××", "龙某某", "工程渣土", 22),
        ),
    ]
    for c in cases:
        c["fine_str"] = f"（{c['fine']}元）"
    return dict(
        id="g04",
        item_id="CG-003",
        tier="一般",
        agency_fmt="江城市{d}城市管理局",
        docno_fmt="{s}城管罚决字〔{y}〕第{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查笔录；2.现场照片及执法记录仪视频；3.对驾驶员及当事人的询问笔录；4.车辆行驶证、驾驶证复印件；5.遗撒面积测量记录。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、现场照片、执法记录仪视频、询问笔录、车辆行驶证复印件、测量记录等证据证实。",
            "认定上述事实的证据有：现场检查笔录、遗撒路面照片、测量记录、询问笔录、车辆及驾驶员证件复印件。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款数额。",
            "本局结合本案具体情节，在该档次内确定罚款数额。",
            "综合本案情况，本局在上述幅度内确定处罚金额。",
        ],
        note=(
            "运输渣土车辆未密闭造成遗撒，遗撒面积10–50平方米，“一般”档罚款5000–12000元；决定日期均在2026-08-15之前。"
            "SELECTIVE ENFORCEMENT: 执法人员钱志刚（执法证号42010830115）参与办理的6件中，个人当事人3件罚款10000、10500、10000元，单位当事人3件均为6000元；"
            "其他执法人员办理的同类案件个人7000元、单位7000–8000元。钱志刚的每件罚款都在档内且非极端值，逐案 expect_inconsistent 为 false，"
            "选择性执法信号在“执法人员×当事人类型”层面（个人明显重于单位）。"
            "另有一例无理由的档内下限（单位5000元，outlier_low）和一例有理由的顶格（遗撒于小学校门前放学时段，12000元，control_reason）。"
        ),
        cases=cases,
    )


# ================================================================ g05 SC-004 明码标价 一般
def g05():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"{date_ar(x['d_reg'])}，本局执法人员对当事人位于{x['dist']}{st}{f['no']}的经营场所进行价格监督检查，发现当事人经营的{f['goods']}等共{f['n']}个品种商品未标示价格。本局于{date_ar(x['d_reg'] + dt.timedelta(days=1))}立案调查。",
                f"经查，当事人主要从事{f['biz']}经营。检查时，当事人货架上陈列销售的{f['goods']}等{f['n']}个品种商品，既未设置价签，也未以其他方式明码标价，当事人以口头方式向顾客告知价格。",
            ]
        if s == 1:
            return [
                f"当事人不按规定明码标价一案，本局于{date_ar(x['d_reg'])}立案调查。",
                f"经调查查明：当事人在{x['dist']}{st}{f['no']}从事{f['biz']}经营。{date_ar(x['d_reg'])}，本局执法人员在检查中发现，当事人店内在售的{f['goods']}等{f['n']}个品种商品未按规定明码标价。",
            ]
        return [
            "当事人经营商品不按规定明码标价一案，经本局立案调查，现已查明。",
            f"当事人在{x['dist']}{st}{f['no']}经营{f['biz']}。{date_ar(x['d_reg'])}执法人员检查时，当事人经营场所内{f['goods']}等{f['n']}个品种商品未标示价格，当事人对此无异议。",
        ]

    def law(x, s):
        if s == 1:
            return "本局认为，当事人的上述行为违反了《中华人民共和国价格法》第十三条第一款的规定，构成不按照规定明码标价的违法行为。依据《中华人民共和国价格法》第四十二条、《价格违法行为行政处罚规定》第十三条的规定，应予处罚。"
        return "本局认为，当事人经营商品不按照规定明码标价的行为，违反了《中华人民共和国价格法》第十三条第一款的规定。《中华人民共和国价格法》第四十二条及《价格违法行为行政处罚规定》第十三条规定，经营者不按照规定明码标价的，责令改正，没收违法所得，可以并处5000元以下的罚款。"

    def disc(x, s):
        n = x["c"]["f"]["n"]
        if s == 0:
            return f"关于处罚裁量：当事人未明码标价商品共{n}个品种，对照《江城市市场监督管理行政处罚裁量基准》，属“未明码标价商品5个以上20个以下品种”的“一般”情形，罚款幅度为1000元以上3000元以下。"
        if s == 1:
            return f"依照《江城市市场监督管理行政处罚裁量基准》，当事人未明码标价商品{n}个品种，适用“一般”档次（罚款1000元至3000元）。"
        return f"根据《江城市市场监督管理行政处罚裁量基准》，本案未标价商品{n}个品种，属于“一般”情形，罚款1000元以上3000元以下。"

    def decision(x, s, mb):
        basis = (
            "《中华人民共和国价格法》第四十二条、《价格违法行为行政处罚规定》第十三条"
            + ("、" + mb if mb else "")
        )
        return f"综上，依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令改正；二、{fine_clause(x['c']['fine'])}。"

    O = {
        "王": ("王晓燕", "42012310218"),
        "郭": ("郭建平", "42012310236"),
        "丁": ("丁一鸣", "42012410105"),
        "夏": ("夏雪", "42012410117"),
        "姜": ("姜海", "42012510321"),
        "田": ("田甜", "42012510338"),
    }
    F = lambda st, no, biz, goods, n: dict(st=st, no=no, biz=biz, goods=goods, n=n)
    cases = [
        dict(
            district="南湖区",
            seq=18,
            date="2024-01-30",
            party=ind(
                "黎某某",
                "女",
                "1987年4月",
                "42010619870416****",
                "江城市南湖区雅园路30号",
                biz="江城市南湖区黎氏便利店",
                uscc="92420106MA4K5N3H2W",
            ),
            officers=[O["王"], O["郭"]],
            fine=1500,
            kind="ordinary",
            f=F(3, "30号", "日用百货零售", "洗发水、牙膏、纸巾", 9),
        ),
        dict(
            district="西江区",
            seq=64,
            date="2024-05-22",
            party=org(
                "江城市西江区佳乐购商贸有限公司",
                "91420103MA4L8Q2J6X",
                "常某某",
                "江城市西江区西关街88号",
            ),
            officers=[O["丁"], O["夏"]],
            fine=2000,
            kind="ordinary",
            f=F(3, "88号", "食品、日用品零售", "食用油、大米、饮料", 14),
        ),
        dict(
            district="东湖区",
            seq=131,
            date="2024-09-12",
            party=ind(
                "邹某某",
                "男",
                "1970年11月",
                "42010219701102****",
                "江城市东湖区东亭街15号",
                biz="江城市东湖区邹记药材行",
                uscc="92420102MA4M4R7K1Y",
            ),
            officers=[O["姜"], O["田"]],
            fine=1500,
            kind="ordinary",
            f=F(1, "15号", "中药材零售", "枸杞、红枣、党参", 8),
        ),
        dict(
            district="南湖区",
            seq=95,
            date="2025-03-11",
            party=org(
                "江城市南湖区优品生活超市有限公司",
                "91420106MA4N7S5L3Z",
                "史某某",
                "江城市南湖区桂园路66号",
            ),
            officers=[O["郭"], O["王"]],
            fine=3000,
            kind="outlier_high",
            f=F(4, "66号", "超市零售", "酸奶、面包、冷冻水饺", 11),
        ),
        dict(
            district="西江区",
            seq=29,
            date="2025-06-17",
            party=ind(
                "余某某",
                "女",
                "1991年7月",
                "42010319910708****",
                "江城市西江区枫林路102号",
                biz="江城市西江区余家眼镜店",
                uscc="92420103MA4P9T1M4A",
            ),
            officers=[O["夏"], O["丁"]],
            fine=1800,
            kind="ordinary",
            f=F(1, "102号", "眼镜零售", "镜架、太阳镜、隐形眼镜护理液", 12),
        ),
        dict(
            district="东湖区",
            seq=47,
            date="2025-10-28",
            party=org(
                "江城市东湖区百味坊食品有限公司",
                "91420102MA4Q2U6N8B",
                "施某某",
                "江城市东湖区湖滨大道75号",
            ),
            officers=[O["田"], O["姜"]],
            fine=1000,
            kind="outlier_low",
            f=F(2, "75号", "糕点、散装食品零售", "桃酥、麻花、散装糖果", 13),
        ),
        dict(
            district="北山区",
            seq=8,
            date="2026-01-20",
            party=ind(
                "蔡某某",
                "男",
                "1984年2月",
                "42010719840219****",
                "江城市北山区青松路12号",
                biz="江城市北山区蔡记五金建材店",
                uscc="92420107MA4R3V8P5C",
            ),
            officers=[O["王"], O["丁"]],
            fine=1500,
            kind="ordinary",
            f=F(1, "12号", "五金建材零售", "水龙头、插座、油漆", 10),
        ),
        dict(
            district="南湖区",
            seq=52,
            date="2026-04-15",
            party=org(
                "江城市南湖区鲜丰果业有限公司",
                "91420106MA4S6W9Q2D",
                "黄某某",
                "江城市南湖区文昌路19号",
            ),
            officers=[O["郭"], O["夏"]],
            fine=3000,
            kind="control_reason",
            f=F(0, "19号", "水果零售", "进口车厘子、榴莲、牛油果", 16),
            reason=(
                "另查明，检查中当事人店员对同一品种的进口水果向不同顾客报出不同价格，且在执法人员检查时将部分价签取下藏匿，本局在该档次内从重处罚。",
                "在执法人员检查时将部分价签取下藏匿",
                None,
            ),
        ),
        dict(
            district="西江区",
            seq=103,
            date="2026-09-08",
            party=ind(
                "叶某某",
                "女",
                "1979年10月",
                "42010319791025****",
                "江城市西江区澄江路52号",
                biz="江城市西江区叶记粮油店",
                uscc="92420103MA4T2X3R6E",
            ),
            officers=[O["丁"], O["夏"]],
            fine=1000,
            kind="control_reason",
            f=F(4, "52号", "粮油零售", "散装大米、菜籽油、杂粮", 7),
            reason=(
                "鉴于当事人在检查当日即对全部商品补齐了价签，并主动对店内其他商品进行了自查，主动消除了违法行为危害后果，符合《中华人民共和国行政处罚法》第三十二条第（一）项规定的从轻处罚情形，本局依法从轻处罚。",
                "检查当日即对全部商品补齐了价签",
                "《中华人民共和国行政处罚法》第三十二条第（一）项",
            ),
        ),
        dict(
            district="东湖区",
            seq=119,
            date="2026-11-10",
            party=org(
                "江城市东湖区悦享母婴用品有限公司",
                "91420102MA4U5Y7S9F",
                "江某某",
                "江城市东湖区书院路27号",
            ),
            officers=[O["姜"], O["田"]],
            fine=2000,
            kind="ordinary",
            f=F(3, "27号", "母婴用品零售", "奶瓶、婴儿湿巾、儿童洗护用品", 15),
        ),
    ]
    for c in cases:
        c["fine_str"] = f"（{c['fine']}元）"
    return dict(
        id="g05",
        item_id="SC-004",
        tier="一般",
        orgword="局",
        agency_fmt="江城市{d}市场监督管理局",
        docno_fmt="{s}市监处罚〔{y}〕{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实，有以下证据证明：1.现场检查笔录及现场照片；2.询问笔录；3.当事人营业执照复印件及身份证明材料；4.商品清单。",
            "以上事实有现场检查笔录、现场照片、询问笔录、当事人营业执照复印件等证据证实。",
            "认定上述事实的主要证据有：现场笔录、现场照片、询问调查笔录、涉案商品清单、主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款数额。",
            "本局根据本案具体情节，在该档次内确定罚款数额。",
            "综合考虑本案情节，本局在上述幅度内确定罚款金额。",
        ],
        note="不按规定明码标价，未标价商品5–20个品种，“一般”档罚款1000–3000元；当事人无违法所得。普通案件1500–2000元；两例无理由的极端值（3000元、1000元）；两例有理由的极端值（检查时取下藏匿价签从重3000元；当日补齐价签依第三十二条第（一）项从轻1000元）。",
        cases=cases,
    )


# ================================================================ g06 SC-005 价格欺诈 一般 倍数(违法所得)
def g06():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"当事人利用虚假的或者使人误解的价格手段诱骗消费者进行交易一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，当事人在{x['dist']}{st}{f['no']}从事{f['biz']}。{f['period']}，当事人{f['trick']}。经核查当事人销售记录，上述期间当事人以该方式销售{f['goods']}{f['qty']}，违法所得{x['c']['base']}元。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局根据消费者举报，对当事人位于{x['dist']}{st}{f['no']}的经营场所进行检查，并于当日立案调查。",
                f"经调查：当事人从事{f['biz']}，{f['period']}，{f['trick']}，诱骗消费者购买。经调取收银系统数据，当事人以上述方式共销售{f['goods']}{f['qty']}，违法所得共计{x['c']['base']}元。",
            ]
        return [
            "当事人价格欺诈一案，经本局立案调查，现已查明。",
            f"当事人系{x['dist']}{st}{f['no']}的经营者，从事{f['biz']}。{f['period']}，当事人{f['trick']}。经本局核算，当事人通过上述虚假价格手段销售{f['goods']}{f['qty']}，违法所得{x['c']['base']}元。",
        ]

    def law(x, s):
        return "本局认为，当事人的上述行为违反了《中华人民共和国价格法》第十四条第（四）项的规定，构成利用虚假的或者使人误解的价格手段诱骗消费者进行交易的价格欺诈行为。依据《中华人民共和国价格法》第四十条第一款及《价格违法行为行政处罚规定》第七条的规定，责令改正，没收违法所得，并处违法所得5倍以下的罚款。"

    def disc(x, s):
        b = x["c"]["base"]
        if s == 0:
            return f"关于处罚裁量：当事人违法所得{b}元，未造成恶劣社会影响，对照《江城市市场监督管理行政处罚裁量基准》，属“违法所得5000元以上，未造成恶劣社会影响”的“一般”情形，该档次为处违法所得2倍以上3倍以下罚款。"
        if s == 1:
            return f"依照《江城市市场监督管理行政处罚裁量基准》，当事人违法所得{b}元，适用“一般”档次，处违法所得2倍至3倍罚款。"
        return f"根据《江城市市场监督管理行政处罚裁量基准》，本案违法所得{b}元，属“一般”情形，应处违法所得2倍以上3倍以下的罚款。"

    def decision(x, s, mb):
        c = x["c"]
        basis = (
            "《中华人民共和国价格法》第四十条第一款、《价格违法行为行政处罚规定》第七条"
            + ("、" + mb if mb else "")
        )
        return f"综上，依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令改正；二、没收违法所得{c['base']}元；三、处违法所得{fmt_mult(c['mult'])}倍罚款，即{fine_clause(c['fine'])}。"

    O = {
        "邵": ("邵国庆", "42012320147"),
        "孟": ("孟菲", "42012320163"),
        "谷": ("谷长林", "42012420228"),
        "尹": ("尹思琪", "42012420245"),
        "董": ("董立军", "42012520317"),
        "戴": ("戴慧", "42012520332"),
    }
    F = lambda st, no, biz, period, trick, goods, qty: dict(
        st=st, no=no, biz=biz, period=period, trick=trick, goods=goods, qty=qty
    )
    raw = [
        (
            "东湖区",
            26,
            "2024-04-09",
            org(
                "江城市东湖区惠民家电商贸有限公司",
                "91420102MA4K7R4M6G",
                "郝某某",
                "江城市东湖区东湖路188号",
            ),
            ["邵", "孟"],
            6800,
            2.2,
            "ordinary",
            F(
                4,
                "188号",
                "家用电器零售",
                "2024年1月15日至2月15日",
                "在店内促销海报上标示空调“原价4999元，现价3299元”，而该型号空调此前从未以4999元的价格成交",
                "空调",
                "17台",
            ),
        ),
        (
            "西江区",
            73,
            "2024-10-15",
            ind(
                "柯某某",
                "男",
                "1983年1月",
                "42010319830112****",
                "江城市西江区望江大道66号",
                biz="江城市西江区柯记茶叶店",
                uscc="92420103MA4L3S6N8H",
            ),
            ["谷", "尹"],
            9200,
            2.5,
            "ordinary",
            F(
                2,
                "66号",
                "茶叶零售",
                "2024年6月至7月",
                "对店内礼盒装茶叶标示“原价1280元，限时五折”，经查该礼盒在促销前七日内的实际成交价格为620元至680元",
                "茶叶礼盒",
                "46盒",
            ),
        ),
        (
            "南湖区",
            41,
            "2025-03-04",
            org(
                "江城市南湖区潮品服饰有限公司",
                "91420106MA4M6T8P1J",
                "景某某",
                "江城市南湖区南湖大道128号",
            ),
            ["董", "戴"],
            12400,
            2.3,
            "ordinary",
            F(
                2,
                "128号",
                "服装零售",
                "2024年12月1日至2025年1月5日",
                "以虚构的“吊牌原价”标示折扣，宣称“全场三折起”，实际吊牌价系当事人自行印制，远高于其历史成交价格",
                "羽绒服等服装",
                "132件",
            ),
        ),
        (
            "东湖区",
            88,
            "2025-07-22",
            ind(
                "卢某某",
                "女",
                "1989年6月",
                "42010219890603****",
                "江城市东湖区书院路39号",
                biz="江城市东湖区卢氏美容美体店",
                uscc="92420102MA4N1U2Q4K",
            ),
            ["孟", "邵"],
            7600,
            3,
            "outlier_high",
            F(
                3,
                "39号",
                "美容服务及护肤品销售",
                "2025年4月至5月",
                "在店内宣传单上标示护肤套装“原价1980元，会员价398元”，经查该套装从未以1980元的价格销售",
                "护肤套装",
                "34套",
            ),
        ),
        (
            "西江区",
            16,
            "2025-11-25",
            org(
                "江城市西江区佳家乐超市有限公司",
                "91420103MA4P5V3R7L",
                "包某某",
                "江城市西江区西关街120号",
            ),
            ["尹", "谷"],
            15000,
            2.5,
            "ordinary",
            F(
                3,
                "120号",
                "超市零售",
                "2025年9月20日至10月6日",
                "对食用油、大米等商品标示“特价”“直降”，但实际结算价格高于标示的特价",
                "食用油、大米等商品",
                "1860件",
            ),
        ),
        (
            "北山区",
            55,
            "2026-02-10",
            ind(
                "严某某",
                "男",
                "1975年8月",
                "42010719750818****",
                "江城市北山区青松路77号",
                biz="江城市北山区严记珠宝行",
                uscc="92420107MA4Q9W4S2M",
            ),
            ["董", "戴"],
            8800,
            2.2,
            "ordinary",
            F(
                1,
                "77号",
                "黄金饰品零售",
                "2025年11月至12月",
                "在柜台标示“工费全免”，但在结算时以“加工费”名义另行收取费用",
                "黄金饰品",
                "58件",
            ),
        ),
        (
            "南湖区",
            67,
            "2026-05-26",
            org(
                "江城市南湖区乐居家具有限公司",
                "91420106MA4R2X5T9N",
                "贾某某",
                "江城市南湖区桂园路210号",
            ),
            ["戴", "董"],
            21000,
            3,
            "control_reason",
            F(
                4,
                "210号",
                "家具零售",
                "2025年11月至2026年3月",
                "在门店及网店同时以“厂家直销 原价9800元 现价3980元”标示沙发价格，经查该价格从未实际成交",
                "沙发",
                "35套",
            ),
        ),
        (
            "东湖区",
            102,
            "2026-09-15",
            ind(
                "温某某",
                "女",
                "1986年3月",
                "42010219860324****",
                "江城市东湖区梧桐路90号",
                biz="江城市东湖区温氏电子产品店",
                uscc="92420102MA4S3Y6U1P",
            ),
            ["邵", "尹"],
            10600,
            2,
            "control_reason",
            F(
                0,
                "90号",
                "手机及配件零售",
                "2026年5月至6月",
                "标示手机“以旧换新 补贴800元”，但实际将补贴金额计入新机售价",
                "手机",
                "26部",
            ),
        ),
    ]
    reasons = {
        6: (
            "同时，当事人的价格欺诈行为持续近5个月，同时通过实体门店和网店实施，涉及消费者35户，持续时间较长、涉及范围较广，本局在该档次内从重处罚。",
            "持续近5个月，同时通过实体门店和网店实施，涉及消费者35户",
            None,
        ),
        7: (
            "鉴于当事人在调查期间主动供述了本局尚未掌握的其在另一门店以同样方式销售手机的违法事实，并如实提供了相关销售记录，符合《中华人民共和国行政处罚法》第三十二条第（三）项规定的情形，本局依法对其从轻处罚。",
            "主动供述了本局尚未掌握的其在另一门店以同样方式销售手机的违法事实",
            "《中华人民共和国行政处罚法》第三十二条第（三）项",
        ),
    }
    cases = []
    for i, (dist, seq, date, party, offs, base, mult, kind, f) in enumerate(raw):
        fine = round(base * mult, 2)
        assert fine == int(fine)
        c = dict(
            district=dist,
            seq=seq,
            date=date,
            party=party,
            officers=[O[o] for o in offs],
            base=base,
            mult=mult,
            fine=int(fine),
            kind=kind,
            f=f,
        )
        if i in reasons:
            c["reason"] = reasons[i]
        c["fine_str"] = f"（{int(fine)}元）"
        cases.append(c)
    return dict(
        id="g06",
        item_id="SC-005",
        tier="一般",
        agency_fmt="江城市{d}市场监督管理局",
        docno_fmt="{s}市监处罚〔{y}〕{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实，有以下证据证明：1.现场检查笔录及现场照片；2.促销宣传资料；3.销售记录及交易凭证；4.询问笔录；5.当事人营业执照复印件。",
            "以上事实有现场检查笔录、现场照片、宣传海报、收银系统销售数据、询问笔录、营业执照复印件等证据证实。",
            "认定上述事实的证据有：现场笔录、照片、价签及宣传资料、进销货凭证、销售明细、调查询问笔录、主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款倍数。",
            "本局结合本案情节，在该档次内确定罚款倍数。",
            "综合本案具体情况，本局在上述倍数范围内确定罚款数额。",
        ],
        note="价格欺诈（虚构原价、虚假折扣等），违法所得5000元以上，“一般”档处违法所得2–3倍罚款（multiple item; base_amount = 违法所得）。普通案件2.2–2.5倍；一例无理由顶格3倍；两例有理由的极端值（持续近5个月、线上线下、涉及35户从重3倍；主动供述未掌握的违法事实依第三十二条第（三）项从轻2倍）。",
        cases=cases,
    )


# ================================================================ g07 SC-009 不符合强制性标准产品 一般 倍数(货值)
def g07():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        c = x["c"]
        if s == 0:
            return [
                f"当事人销售不符合保障人身、财产安全的国家标准的产品一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，{f['when']}，本局依法对当事人在{x['dist']}{st}{f['no']}经营场所销售的“{f['prod']}”进行监督抽查。经江城市产品质量监督检验所检验，该批次产品{f['defect']}，不符合GB 2099.1—2008《家用和类似用途插头插座 第1部分：通用要求》等强制性国家标准的要求，检验结论为不合格。当事人共购进该批次产品{f['qty']}个，进价每个{f['cost']}元，销售价格每个{f['price']}元，货值金额{c['base']}元，已售出{f['sold']}个，违法所得{f['gain']}元。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局收到江城市产品质量监督检验所出具的检验报告，当事人销售的“{f['prod']}”经抽检不合格。本局于当日立案调查。",
                f"经调查：当事人在{x['dist']}{st}{f['no']}从事五金电器零售，其销售的上述产品{f['defect']}，不符合国家强制性标准。经核实，当事人共购进该产品{f['qty']}个，标价每个{f['price']}元，货值金额共计{c['base']}元，其中已销售{f['sold']}个，获利{f['gain']}元，剩余产品已被本局依法扣押。",
            ]
        return [
            "当事人销售不符合国家标准的插座产品一案，经本局立案调查，现已查明。",
            f"当事人系{x['dist']}{st}{f['no']}的经营者。{f['when']}，本局抽检当事人销售的“{f['prod']}”，经检验，该产品{f['defect']}，属于不符合保障人身、财产安全的国家标准的产品。当事人共购进{f['qty']}个，按售价计算货值金额为{c['base']}元，已销售{f['sold']}个，违法所得{f['gain']}元。",
        ]

    def law(x, s):
        return "本局认为，当事人销售不符合保障人体健康和人身、财产安全的国家标准的产品的行为，违反了《中华人民共和国产品质量法》第十三条第二款的规定。依据《中华人民共和国产品质量法》第四十九条的规定，责令停止销售，没收违法销售的产品，并处违法销售产品货值金额等值以上三倍以下的罚款；有违法所得的，并处没收违法所得。"

    def disc(x, s):
        b = x["c"]["base"]
        if s == 0:
            return f"关于处罚裁量：当事人违法销售产品货值金额{b}元，未造成人身、财产损害，对照《江城市市场监督管理行政处罚裁量基准》，属于“一般”情形，该档次为处货值金额1.6倍以上2.4倍以下罚款。"
        if s == 1:
            return f"依照《江城市市场监督管理行政处罚裁量基准》，本案货值金额{b}元，未造成人身、财产损害，适用“一般”档次（货值金额1.6倍至2.4倍罚款）。"
        return f"根据《江城市市场监督管理行政处罚裁量基准》，当事人的违法行为未造成人身、财产损害，属“一般”情形，应处货值金额1.6倍以上2.4倍以下罚款。本案货值金额为{b}元。"

    def decision(x, s, mb):
        c = x["c"]
        basis = "《中华人民共和国产品质量法》第四十九条" + ("、" + mb if mb else "")
        return f"依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令停止销售；二、没收违法销售的“{c['f']['prod']}”{c['f']['qty'] - c['f']['sold']}个；三、没收违法所得{c['f']['gain']}元；四、处货值金额{fmt_mult(c['mult'])}倍罚款，{fine_clause(c['fine'])}。"

    O = {
        "欧": ("欧阳明", "42012330152"),
        "苗": ("苗青", "42012330174"),
        "聂": ("聂宏伟", "42012430219"),
        "齐": ("齐悦", "42012430237"),
        "祁": ("祁建国", "42012530408"),
        "鲁": ("鲁小雨", "42012530426"),
    }
    F = lambda st, no, when, prod, defect, qty, cost, price, sold, gain: dict(
        st=st,
        no=no,
        when=when,
        prod=prod,
        defect=defect,
        qty=qty,
        cost=cost,
        price=price,
        sold=sold,
        gain=gain,
    )
    raw = [
        (
            "西江区",
            37,
            "2024-03-28",
            ind(
                "任某某",
                "男",
                "1978年4月",
                "42010319780405****",
                "江城市西江区江汉西路20号",
                biz="江城市西江区任记五金电器店",
                uscc="92420103MA4K8T1P3Q",
            ),
            ["欧", "苗"],
            1.8,
            "ordinary",
            F(
                0,
                "20号",
                "2024年1月",
                "佳宁牌转换器（型号JN-306）",
                "“插头插入拔出所需的力”“耐热”项目不合格",
                300,
                18,
                32,
                120,
                1680,
            ),
        ),
        (
            "东湖区",
            81,
            "2024-08-21",
            org(
                "江城市东湖区联华电器商行有限公司",
                "91420102MA4L5U8Q2R",
                "霍某某",
                "江城市东湖区东湖路96号",
            ),
            ["聂", "齐"],
            2.0,
            "ordinary",
            F(
                4,
                "96号",
                "2024年6月",
                "安途牌移动式插座（型号AT-4M）",
                "“防触电保护”“结构”项目不合格",
                500,
                22,
                39,
                210,
                3570,
            ),
        ),
        (
            "南湖区",
            12,
            "2025-01-14",
            ind(
                "方某某",
                "女",
                "1990年9月",
                "42010619900927****",
                "江城市南湖区丁字桥路60号",
                biz="江城市南湖区方圆日杂店",
                uscc="92420106MA4M8V2R5S",
            ),
            ["祁", "鲁"],
            1.8,
            "ordinary",
            F(
                1,
                "60号",
                "2024年11月",
                "亮星牌延长线插座（型号LX-3）",
                "“标志”“爬电距离、电气间隙”项目不合格",
                240,
                12,
                25,
                90,
                1170,
            ),
        ),
        (
            "北山区",
            46,
            "2025-05-07",
            org(
                "江城市北山区万家福超市有限公司",
                "91420107MA4N2W5S8T",
                "廖某某",
                "江城市北山区山前大道150号",
            ),
            ["苗", "欧"],
            2.4,
            "outlier_high",
            F(
                2,
                "150号",
                "2025年3月",
                "福星牌移动式插座（型号FX-5）",
                "“耐热”“防触电保护”项目不合格",
                400,
                20,
                35,
                160,
                2400,
            ),
        ),
        (
            "西江区",
            90,
            "2025-09-23",
            ind(
                "金某某",
                "男",
                "1972年12月",
                "42010319721216****",
                "江城市西江区枫林路58号",
                biz="江城市西江区金鑫电料行",
                uscc="92420103MA4P6X9T1U",
            ),
            ["齐", "聂"],
            1.9,
            "ordinary",
            F(
                1,
                "58号",
                "2025年7月",
                "金鑫牌转换插座（型号JX-2）",
                "“插头插入拔出所需的力”项目不合格",
                200,
                15,
                28,
                80,
                1040,
            ),
        ),
        (
            "东湖区",
            23,
            "2026-01-27",
            org(
                "江城市东湖区百顺五金有限公司",
                "91420102MA4Q3Y2U4V",
                "阎某某",
                "江城市东湖区东亭街102号",
            ),
            ["鲁", "祁"],
            1.6,
            "outlier_low",
            F(
                1,
                "102号",
                "2025年11月",
                "顺安牌延长线插座（型号SA-6）",
                "“结构”“耐热”项目不合格",
                600,
                16,
                30,
                260,
                3640,
            ),
        ),
        (
            "南湖区",
            58,
            "2026-04-29",
            ind(
                "毛某某",
                "男",
                "1981年6月",
                "42010619810630****",
                "江城市南湖区雅园路102号",
                biz="江城市南湖区毛记电器维修部",
                uscc="92420106MA4R4Z5V7W",
            ),
            ["欧", "聂"],
            2.0,
            "ordinary",
            F(
                3,
                "102号",
                "2026年2月",
                "宏达牌移动式插座（型号HD-4）",
                "“防触电保护”项目不合格",
                250,
                19,
                34,
                100,
                1500,
            ),
        ),
        (
            "北山区",
            71,
            "2026-08-18",
            org(
                "江城市北山区好运来商贸有限公司",
                "91420107MA4S5A8W9X",
                "车某某",
                "江城市北山区北环路266号",
            ),
            ["齐", "苗"],
            1.6,
            "control_reason",
            F(
                0,
                "266号",
                "2026年6月",
                "长城牌转换器（型号CC-08）",
                "“插头插入拔出所需的力”“耐热”项目不合格",
                450,
                17,
                31,
                190,
                2660,
            ),
        ),
        (
            "西江区",
            14,
            "2026-10-27",
            ind(
                "贝某某",
                "女",
                "1984年11月",
                "42010319841113****",
                "江城市西江区西关街33号",
                biz="江城市西江区贝家小百货",
                uscc="92420103MA4T7B1X2Y",
            ),
            ["祁", "鲁"],
            1.8,
            "ordinary",
            F(
                3,
                "33号",
                "2026年8月",
                "美居牌延长线插座（型号MJ-3）",
                "“标志”“结构”项目不合格",
                320,
                13,
                26,
                140,
                1820,
            ),
        ),
    ]
    reasons = {
        7: (
            "鉴于当事人在调查中如实陈述违法事实，主动提供了涉案产品供货商的详细信息及进货凭证，协助本局查获上游生产窝点1处，配合行政机关查处违法行为有立功表现，符合《中华人民共和国行政处罚法》第三十二条第（四）项规定的情形，本局依法对其从轻处罚。",
            "协助本局查获上游生产窝点1处，配合行政机关查处违法行为有立功表现",
            "《中华人民共和国行政处罚法》第三十二条第（四）项",
        ),
    }
    cases = []
    for i, (dist, seq, date, party, offs, mult, kind, f) in enumerate(raw):
        base = f["qty"] * f["price"]
        assert f["gain"] == f["sold"] * (f["price"] - f["cost"]), (
            i,
            f["gain"],
            f["sold"] * (f["price"] - f["cost"]),
        )
        fine = round(base * mult, 2)
        assert fine == int(fine), fine
        c = dict(
            district=dist,
            seq=seq,
            date=date,
            party=party,
            officers=[O[o] for o in offs],
            base=base,
            mult=mult,
            fine=int(fine),
            kind=kind,
            f=f,
        )
        if i in reasons:
            c["reason"] = reasons[i]
        c["fine_str"] = f"（{int(fine)}元）"
        cases.append(c)
    return dict(
        id="g07",
        item_id="SC-009",
        tier="一般",
        agency_fmt="江城市{d}市场监督管理局",
        docno_fmt="{s}市监处罚〔{y}〕{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实，有以下证据证明：1.抽样单及检验报告；2.检验结果告知书及送达回证；3.现场检查笔录及现场照片；4.询问笔录；5.进货单据、销售记录；6.当事人营业执照复印件。",
            "以上事实有检验报告、现场检查笔录、扣押物品清单、询问笔录、进销货凭证、营业执照复印件等证据证实。",
            "认定上述事实的证据有：抽样文书、检验报告、现场笔录、照片、调查询问笔录、进销货记录及主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款倍数。",
            "本局结合本案情节，在该档次内确定罚款倍数。",
            "综合本案具体情况，本局在上述倍数范围内确定罚款数额。",
        ],
        note="销售不符合强制性国家标准的插座/转换器产品（未造成人身、财产损害），“一般”档处货值金额1.6–2.4倍罚款（multiple item; base_amount = 货值金额 = 购进数量×售价）。普通案件1.8–2.0倍；两例无理由的极端值（2.4倍、1.6倍）；一例有理由的下限（协助查获上游生产窝点，立功，第三十二条第（四）项，1.6倍）。",
        cases=cases,
    )


# ================================================================ g08 ZR-006 长江采砂 一般 倍数(货值)
def g08():
    def facts(x, s):
        f = x["c"]["f"]
        c = x["c"]
        if s == 0:
            return [
                f"当事人未依法取得许可在长江江城段从事采砂活动一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，{f['when']}，当事人{f['who']}在长江江城{f['reach']}水域，使用{f['ship']}从事采砂作业，未取得河道采砂许可证。{date_ar(x['d_reg'])}，本局会同江城市长江河道采砂管理执法大队巡查时将其查获，当事人当即停止采砂作业。经测量核算，当事人共非法采砂约{f['tons']}吨，按当地砂石市场价格每吨{f['price']}元计算，货值金额为{c['base']}元。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局执法人员在长江江城{f['reach']}水域巡查时，发现{f['ship']}正在进行采砂作业，经核查，当事人未取得河道采砂许可。本局于当日立案调查，当事人在执法人员责令后立即停止了违法行为。",
                f"经调查：当事人{f['who']}自{f['when']}起在上述水域采砂，经对船舶载砂量及砂场出货记录核算，非法采砂共计约{f['tons']}吨，按江城市价格认证中心认定的每吨{f['price']}元计算，货值金额为{c['base']}元。",
            ]
        return [
            "当事人在长江流域未依法取得许可从事采砂活动一案，经本局立案调查，现已查明。",
            f"{f['when']}，当事人{f['who']}未经许可，使用{f['ship']}在长江江城{f['reach']}水域采砂。{date_ar(x['d_reg'])}被本局执法人员查获后，当事人立即停止采砂。经认定，当事人非法采砂约{f['tons']}吨，单价每吨{f['price']}元，货值金额{c['base']}元。",
        ]

    def law(x, s):
        return "本局认为，当事人未依法取得许可从事采砂活动的行为，违反了《中华人民共和国长江保护法》第二十八条第一款的规定。依据《中华人民共和国长江保护法》第九十一条的规定，由县级以上人民政府水行政主管部门责令停止违法行为，没收违法所得以及用于违法活动的船舶、设备、工具，并处货值金额二倍以上二十倍以下罚款。"

    def disc(x, s):
        b = x["c"]["base"]
        if s == 0:
            return f"关于处罚裁量：当事人非法采砂货值金额{b}元，在10万元以上50万元以下，且被查获后立即停止违法行为，对照裁量基准，属于“一般”情形，该档次为处货值金额2倍以上8倍以下罚款。"
        if s == 1:
            return f"依照《江城市水行政处罚裁量基准》，本案货值金额{b}元，当事人被查获后立即停止违法行为，适用“一般”档次（货值金额2倍至8倍罚款）。"
        return f"根据裁量基准，当事人无证采砂，货值金额{b}元，立即停止违法行为，属“一般”情形，应处货值金额2倍以上8倍以下罚款。"

    def decision(x, s, mb):
        c = x["c"]
        basis = "《中华人民共和国长江保护法》第九十一条" + ("、" + mb if mb else "")
        return f"综上，依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令停止违法行为；二、没收违法所得{c['f']['gain']}元；三、没收用于违法活动的{c['f']['ship']}；四、处货值金额{fmt_mult(c['mult'])}倍罚款，{fine_clause(c['fine'])}。"

    O = {
        "龚": ("龚长江", "42010940103"),
        "柳": ("柳波", "42010940118"),
        "翟": ("翟永刚", "42010940126"),
        "鲍": ("鲍志成", "42010940134"),
        "梅": ("梅晓川", "42010940147"),
        "汪": ("汪洋", "42010940155"),
    }
    F = lambda reach, who, when, ship, tons, price, gain: dict(
        reach=reach, who=who, when=when, ship=ship, tons=tons, price=price, gain=gain
    )
    raw = [
        (
            "江口区",
            3,
            "2024-05-14",
            ind(
                "谢某某",
                "男",
                "1969年3月",
                "42010519690302****",
                "江城市江口区江滩路8号",
            ),
            ["龚", "柳"],
            3,
            "ordinary",
            F(
                "江口段渡口下游约800米",
                "",
                "2024年3月中旬",
                "“江砂168”号吸砂船1艘",
                2400,
                55,
                96000,
            ),
        ),
        (
            "西江区",
            11,
            "2024-09-24",
            org(
                "江城市西江区顺江砂石贸易有限公司",
                "91420103MA4L9A3B5Z",
                "熊某某",
                "江城市西江区望江大道420号",
            ),
            ["翟", "鲍"],
            3.5,
            "ordinary",
            F(
                "西江段三号锚地附近",
                "雇佣船员",
                "2024年8月",
                "“顺江6号”采砂船1艘",
                3000,
                60,
                120000,
            ),
        ),
        (
            "江口区",
            8,
            "2025-02-18",
            ind(
                "黄某某",
                "男",
                "1977年10月",
                "42010519771011****",
                "江城市江口区新港路9号",
            ),
            ["梅", "汪"],
            4,
            "ordinary",
            F(
                "江口段新港码头上游",
                "",
                "2024年12月下旬",
                "无名铁质采砂船1艘",
                2000,
                58,
                72000,
            ),
        ),
        (
            "东湖区",
            5,
            "2025-06-10",
            org(
                "江城市东湖区鑫江建材有限公司",
                "91420102MA4M3B6C8A",
                "尹某某",
                "江城市东湖区湖滨大道301号",
            ),
            ["柳", "龚"],
            8,
            "outlier_high",
            F(
                "东湖段汇流口下游",
                "安排船员",
                "2025年4月",
                "“鑫江2号”吸砂船1艘",
                2600,
                62,
                110000,
            ),
        ),
        (
            "江口区",
            17,
            "2025-10-21",
            ind(
                "钟某某",
                "男",
                "1980年5月",
                "42010519800519****",
                "江城市江口区渡口路16号",
            ),
            ["鲍", "翟"],
            3,
            "ordinary",
            F(
                "江口段鹦鹉洲尾",
                "",
                "2025年8月下旬",
                "“江顺09”号采砂船1艘",
                3500,
                56,
                130000,
            ),
        ),
        (
            "西江区",
            20,
            "2026-01-06",
            org(
                "江城市西江区长兴航运有限公司",
                "91420103MA4N4C7D1B",
                "乔某某",
                "江城市西江区澄江路199号",
            ),
            ["汪", "梅"],
            2,
            "outlier_low",
            F(
                "西江段澄江口附近",
                "安排所属船舶",
                "2025年11月",
                "“长兴11”号吸砂船1艘",
                4000,
                60,
                150000,
            ),
        ),
        (
            "江口区",
            9,
            "2026-03-17",
            ind(
                "卜某某",
                "男",
                "1973年7月",
                "42010519730714****",
                "江城市江口区沿江大道62号",
            ),
            ["龚", "翟"],
            4.5,
            "ordinary",
            F(
                "江口段沿江大道外侧",
                "",
                "2026年1月",
                "无名钢质采砂船1艘",
                2200,
                60,
                84000,
            ),
        ),
        (
            "东湖区",
            14,
            "2026-05-12",
            org(
                "江城市东湖区华远砂业有限公司",
                "91420102MA4P7D8E2C",
                "舒某某",
                "江城市东湖区东湖路350号",
            ),
            ["鲍", "柳"],
            8,
            "control_reason",
            F(
                "东湖段汇流口上游",
                "安排船员",
                "2026年3月",
                "“华远3号”吸砂船1艘",
                3200,
                58,
                120000,
            ),
        ),
        (
            "江口区",
            21,
            "2026-06-30",
            ind(
                "管某某",
                "男",
                "1985年1月",
                "42010519850120****",
                "江城市江口区江滩路71号",
            ),
            ["梅", "汪"],
            2,
            "control_reason",
            F(
                "江口段渡口上游约500米",
                "",
                "2026年5月",
                "“江口渔运12”号船1艘",
                1900,
                60,
                68000,
            ),
        ),
        (
            "西江区",
            27,
            "2026-07-21",
            ind(
                "殷某某",
                "男",
                "1979年9月",
                "42010319790907****",
                "江城市西江区西关街140号",
            ),
            ["翟", "鲍"],
            3,
            "ordinary",
            F("西江段三号锚地下游", "", "2026年6月", "无名采砂船1艘", 2500, 62, 90000),
        ),
    ]
    reasons = {
        7: (
            "另查明，当事人采砂作业均在夜间进行，作业时关闭船舶自动识别系统（AIS）、遮挡船名，刻意逃避监管，主观恶意明显，本局在该档次内从重处罚。",
            "作业时关闭船舶自动识别系统（AIS）、遮挡船名，刻意逃避监管",
            None,
        ),
        8: (
            "鉴于当事人系受他人诱骗，误信船舶出租人吕某某“已办妥采砂手续”而实施采砂，且到案后如实陈述、积极配合调查，符合《中华人民共和国行政处罚法》第三十二条第（二）项规定的情形，本局依法对其从轻处罚。",
            "系受他人诱骗，误信船舶出租人吕某某“已办妥采砂手续”而实施采砂",
            "《中华人民共和国行政处罚法》第三十二条第（二）项",
        ),
    }
    cases = []
    for i, (dist, seq, date, party, offs, mult, kind, f) in enumerate(raw):
        base = f["tons"] * f["price"]
        assert 100000 <= base <= 500000, base
        fine = round(base * mult, 2)
        assert fine == int(fine)
        if not f["who"]:
            f["who"] = ""
        c = dict(
            district=dist,
            seq=seq,
            date=date,
            party=party,
            officers=[O[o] for o in offs],
            base=base,
            mult=mult,
            fine=int(fine),
            kind=kind,
            f=f,
        )
        if i in reasons:
            c["reason"] = reasons[i]
        c["fine_str"] = f"（{int(fine)}元）"
        cases.append(c)
    return dict(
        id="g08",
        item_id="ZR-006",
        tier="一般",
        agency_fmt="江城市{d}水利和湖泊局",
        docno_fmt="{s}水罚字〔{y}〕第{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查笔录及现场照片、视频；2.询问笔录；3.采砂量测量核算记录；4.砂石价格认定书；5.船舶登记资料；6.当事人身份（主体资格）证明材料。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、执法记录仪视频、询问笔录、测量记录、价格认定书、船舶资料等证据证实。",
            "认定上述事实的证据有：现场勘验笔录、照片、询问笔录、采砂量核算表、价格认定结论书及主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款倍数。",
            "本局结合本案具体情节，在该档次内确定罚款倍数。",
            "综合本案情况，本局在上述倍数范围内确定罚款数额。",
        ],
        note="在长江流域未取得许可采砂，货值金额10万–50万元并立即停止，“一般”档处货值金额2–8倍罚款（multiple item, wide range; base_amount = 货值金额 = 吨数×单价）。决定日期均在2026-08-15之前。普通案件3–4.5倍；两例无理由的极端值（8倍、2倍）；两例有理由的极端值（夜间作业关闭AIS遮挡船名从重8倍；受他人诱骗依第三十二条第（二）项从轻2倍）。",
        cases=cases,
    )


# ================================================================ g09 ST-003 工业扬尘 一般
def g09():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"当事人未采取措施控制粉尘排放一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，当事人位于{x['dist']}{st}{f['no']}，主要从事{f['biz']}。{date_ar(x['d_reg'])}，本局执法人员对当事人进行现场检查时发现，当事人{f['issue']}，物料堆场面积约{f['area']}平方米，未采取密闭、围挡、遮盖、洒水等措施控制粉尘排放，现场扬尘明显。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}，本局执法人员对当事人{x['dist']}{st}{f['no']}厂区开展大气污染防治专项检查，发现当事人{f['issue']}，本局于当日立案。",
                f"经调查：当事人从事{f['biz']}，涉事露天物料堆场面积约{f['area']}平方米，未采取集中收集处理、密闭、围挡、遮盖等防尘措施，造成粉尘无组织排放。当事人两年内未因同类违法行为受过处罚。",
            ]
        return [
            "当事人未采取有效措施控制粉尘排放一案，经本局立案调查，现已查明。",
            f"当事人系{f['biz']}企业，厂址位于{x['dist']}{st}{f['no']}。{date_ar(x['d_reg'])}检查发现，当事人{f['issue']}，堆场面积约{f['area']}平方米，未采取遮盖、围挡、洒水等抑尘措施。",
        ]

    def law(x, s):
        return "本局认为，当事人的上述行为违反了《中华人民共和国大气污染防治法》第四十八条的规定。依据《中华人民共和国大气污染防治法》第一百零八条第（五）项的规定，由县级以上人民政府生态环境主管部门责令改正，处二万元以上二十万元以下的罚款；拒不改正的，责令停产整治。"

    def disc(x, s):
        a = x["c"]["f"]["area"]
        if s == 0:
            return f"关于处罚裁量：本案涉及物料堆场面积约{a}平方米，当事人系两年内首次违法，对照《生态环境行政处罚裁量基准》，属于“一般”情形，该档次罚款幅度为2万元以上8万元以下。"
        if s == 1:
            return f"依照《生态环境行政处罚裁量基准》，本案涉及面积{a}平方米，在1000平方米以下，且两年内首次，适用“一般”档次（罚款2万元至8万元）。"
        return f"根据《生态环境行政处罚裁量基准》，当事人堆场面积{a}平方米、两年内首次违法，属“一般”情形，罚款幅度为20000元以上80000元以下。"

    def decision(x, s, mb):
        basis = "《中华人民共和国大气污染防治法》第一百零八条第（五）项" + (
            "、" + mb if mb else ""
        )
        return f"依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令改正；二、{fine_clause(x['c']['fine'])}。"

    O = {
        "严": ("严立群", "42010150107"),
        "解": ("解文杰", "42010150119"),
        "裴": ("裴敏", "42010150126"),
        "卢": ("卢建新", "42010150138"),
        "邱": ("邱雯", "42010150144"),
        "阮": ("阮国栋", "42010150153"),
    }
    F = lambda st, no, biz, issue, area: dict(
        st=st, no=no, biz=biz, issue=issue, area=area
    )
    cases = [
        dict(
            district="北山区",
            seq=7,
            date="2024-04-23",
            party=org(
                "江城市北山区坚石混凝土有限公司",
                "91420107MA4K4C9F3D",
                "杜某某",
                "江城市北山区石门街300号",
            ),
            officers=[O["严"], O["解"]],
            fine=30000,
            kind="ordinary",
            f=F(
                3,
                "300号",
                "商品混凝土生产",
                "砂石料堆场未覆盖，装卸作业时未洒水抑尘",
                650,
            ),
        ),
        dict(
            district="江口区",
            seq=15,
            date="2024-10-29",
            party=org(
                "江城市江口区永固建材有限公司",
                "91420105MA4L2D5G7E",
                "苏某某",
                "江城市江口区新港路520号",
            ),
            officers=[O["裴"], O["卢"]],
            fine=40000,
            kind="ordinary",
            f=F(
                3,
                "520号",
                "砖瓦制品生产",
                "原料（页岩、粉煤灰）露天堆放未遮盖，堆场无围挡",
                820,
            ),
        ),
        dict(
            district="北山区",
            seq=31,
            date="2025-03-25",
            party=ind(
                "余某某",
                "男",
                "1974年8月",
                "42010719740806****",
                "江城市北山区松涛路210号",
                biz="江城市北山区余氏石材加工厂",
                uscc="92420107MA4M5E6H8F",
            ),
            officers=[O["邱"], O["阮"]],
            fine=35000,
            kind="ordinary",
            f=F(
                4,
                "210号",
                "石材切割加工",
                "石材切割粉尘未经收集处理直接排放，废料堆未遮盖",
                400,
            ),
        ),
        dict(
            district="东湖区",
            seq=22,
            date="2025-07-15",
            party=org(
                "江城市东湖区鸿泰沥青搅拌有限公司",
                "91420102MA4N6F7J9G",
                "邓某某",
                "江城市东湖区湖滨大道610号",
            ),
            officers=[O["解"], O["严"]],
            fine=80000,
            kind="outlier_high",
            f=F(2, "610号", "沥青混合料生产", "骨料堆场未遮盖，上料口未密闭", 700),
        ),
        dict(
            district="江口区",
            seq=40,
            date="2025-11-18",
            party=ind(
                "欧某某",
                "男",
                "1982年2月",
                "42010519820227****",
                "江城市江口区渡口路140号",
                biz="江城市江口区欧氏再生资源加工厂",
                uscc="92420105MA4P8G8K1H",
            ),
            officers=[O["卢"], O["裴"]],
            fine=30000,
            kind="ordinary",
            f=F(
                1,
                "140号",
                "建筑垃圾再生骨料加工",
                "破碎作业区未密闭，成品堆场未遮盖",
                560,
            ),
        ),
        dict(
            district="北山区",
            seq=9,
            date="2026-02-03",
            party=org(
                "江城市北山区富源水泥制品有限公司",
                "91420107MA4Q9H9L2J",
                "朱某某",
                "江城市北山区北环路730号",
            ),
            officers=[O["阮"], O["邱"]],
            fine=45000,
            kind="ordinary",
            f=F(
                0,
                "730号",
                "水泥制品生产",
                "水泥、砂石堆场未遮盖，厂区道路未清扫洒水",
                900,
            ),
        ),
        dict(
            district="江口区",
            seq=26,
            date="2026-05-06",
            party=org(
                "江城市江口区通达港务有限公司",
                "91420105MA4R1J1M3K",
                "祝某某",
                "江城市江口区沿江大道880号",
            ),
            officers=[O["严"], O["裴"]],
            fine=80000,
            kind="control_reason",
            f=F(
                0,
                "880号",
                "散货装卸堆存",
                "煤炭、矿石露天堆场未遮盖，装卸作业未采取抑尘措施",
                950,
            ),
            reason=(
                "另查明，当事人堆场下风向300米范围内有居民小区2个及江口区第三小学，检查期间粉尘已飘散至上述区域，附近居民多次投诉，对周边环境敏感目标影响较大，本局在该档次内从重处罚。",
                "堆场下风向300米范围内有居民小区2个及江口区第三小学，检查期间粉尘已飘散至上述区域",
                None,
            ),
        ),
        dict(
            district="东湖区",
            seq=35,
            date="2026-07-28",
            party=ind(
                "曾某某",
                "女",
                "1980年12月",
                "42010219801219****",
                "江城市东湖区东湖路720号",
                biz="江城市东湖区曾记木材加工厂",
                uscc="92420102MA4S2K2N4L",
            ),
            officers=[O["解"], O["卢"]],
            fine=20000,
            kind="control_reason",
            f=F(
                4,
                "720号",
                "木材加工",
                "木屑、锯末露天堆放未遮盖，开料车间粉尘未经收集直接外排",
                300,
            ),
            reason=(
                "鉴于当事人在检查当日即停止生产，三日内对堆场实施全封闭并安装了布袋除尘设施，经复查已整改到位，主动消除了违法行为危害后果，依据《中华人民共和国行政处罚法》第三十二条第（一）项的规定，本局对其从轻处罚。",
                "三日内对堆场实施全封闭并安装了布袋除尘设施",
                "《中华人民共和国行政处罚法》第三十二条第（一）项",
            ),
        ),
    ]
    for c in cases:
        c["fine_str"] = f"（{c['fine']}元）"
    return dict(
        id="g09",
        item_id="ST-003",
        tier="一般",
        orgword="局",
        agency_fmt="江城市生态环境局{d}分局",
        docno_fmt="江环{s}罚〔{y}〕{n}号",
        gov="江城市人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查（勘察）笔录；2.现场照片及视频；3.调查询问笔录；4.当事人营业执照复印件及法定代表人身份证明；5.堆场面积测量记录。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、现场照片、无人机航拍影像、询问笔录、营业执照复印件等证据证实。",
            "认定上述事实的证据有：现场勘察笔录、照片、调查询问笔录、测量记录及主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款数额。",
            "本局结合本案具体情节，在该档次内确定罚款数额。",
            "综合本案情况，本局在上述幅度内确定罚款金额。",
        ],
        note="工业企业未采取措施控制粉尘排放，堆场1000平方米以下且两年内首次，“一般”档罚款2万–8万元。agency 为江城市生态环境局各分局（复议机关为江城市人民政府）。决定日期均在2026-08-15之前。普通案件30000–45000元；一例无理由顶格80000元；两例有理由的极端值（下风向有小区和小学、粉尘已飘散从重80000元；三日内全封闭并装除尘设施依第三十二条第（一）项从轻20000元）。",
        cases=cases,
    )


# ================================================================ g10 JT-005 无证货运 一般
def g10():
    def facts(x, s):
        f = x["c"]["f"]
        st = x["st"][f["st"]]
        if s == 0:
            return [
                f"当事人未取得道路运输经营许可擅自从事道路普通货物运输经营一案，本局于{date_ar(x['d_reg'])}立案调查，现已调查终结。",
                f"经查，{date_ar(x['d_reg'])}{f['time']}，本局执法人员在{x['dist']}{st}{f['spot']}开展道路运输执法检查时，拦停当事人{f['rel']}{f['plate']}{f['veh']}（驾驶员{f['driver']}），该车装载{f['cargo']}，从{f['from']}运往{f['to']}，约定运费{f['fee']}元。经核查，当事人未取得道路运输经营许可证，该车辆未取得道路运输证。",
            ]
        if s == 1:
            return [
                f"{date_ar(x['d_reg'])}{f['time']}，本局执法人员在{x['dist']}{st}{f['spot']}检查时发现，{f['plate']}{f['veh']}装载{f['cargo']}，驾驶员{f['driver']}无法出示道路运输证。本局于当日立案调查。",
                f"经调查：该车辆为当事人{f['rel2']}，当事人受货主委托，将{f['cargo']}从{f['from']}运往{f['to']}，收取运费{f['fee']}元。当事人未取得道路运输经营许可，擅自从事道路普通货物运输经营。",
            ]
        return [
            "当事人未取得道路运输经营许可从事道路货物运输经营一案，经本局立案调查，现已查明。",
            f"{date_ar(x['d_reg'])}，当事人{f['rel']}{f['plate']}{f['veh']}由驾驶员{f['driver']}驾驶，装载{f['cargo']}从{f['from']}驶往{f['to']}，运费{f['fee']}元，在{x['dist']}{st}{f['spot']}被本局执法人员查获。经核实，当事人未取得道路运输经营许可。",
        ]

    def law(x, s):
        return "本局认为，当事人的上述行为违反了《中华人民共和国道路运输条例》第二十四条的规定。依据《中华人民共和国道路运输条例》第六十三条的规定，未取得道路运输经营许可，擅自从事道路普通货物运输经营，违法所得超过1万元的，没收违法所得，处违法所得1倍以上5倍以下的罚款；没有违法所得或者违法所得不足1万元的，处3000元以上1万元以下的罚款。"

    def disc(x, s):
        fee = x["c"]["f"]["fee"]
        if s == 0:
            return f"关于处罚裁量：当事人违法所得{fee}元，不足1万元，对照《江城市交通运输行政处罚裁量基准》，属于“没有违法所得或者违法所得不足1万元，两年内首次或者第二次被查处”的“一般”情形，该档次罚款幅度为3000元以上1万元以下。"
        if s == 1:
            return f"依照《江城市交通运输行政处罚裁量基准》，当事人违法所得{fee}元，不足1万元，适用“一般”档次（罚款3000元以上10000元以下）。"
        return f"根据《江城市交通运输行政处罚裁量基准》，本案违法所得不足1万元，属“一般”情形，罚款幅度3000元至10000元。"

    def decision(x, s, mb):
        basis = "《中华人民共和国道路运输条例》第六十三条" + ("、" + mb if mb else "")
        return f"依据{basis}的规定，本局决定对当事人作出如下行政处罚：一、责令停止经营；二、{fine_clause(x['c']['fine'])}。"

    O = {
        "岳": ("岳鹏", "42010560112"),
        "时": ("时雨", "42010560127"),
        "甘": ("甘志强", "42010560135"),
        "武": ("武婷", "42010560149"),
        "尚": ("尚德明", "42010560156"),
        "纪": ("纪晓", "42010560163"),
    }
    F = lambda st, spot, time, plate, veh, driver, cargo, frm, to, fee, own=True: dict(
        st=st,
        spot=spot,
        time=time,
        plate=plate,
        veh=veh,
        driver=driver,
        cargo=cargo,
        **{"from": frm},
        to=to,
        fee=fee,
        rel="所有的" if own else "所属的",
        rel2="所有" if own else "所属车辆",
    )
    raw = [
        (
            "北山区",
            19,
            "2024-02-06",
            ind(
                "乐某某",
                "男",
                "1983年9月",
                "42010719830903****",
                "江城市北山区青松路16号",
            ),
            ["岳", "时"],
            5000,
            "ordinary",
            F(
                2,
                "与北环路交叉口",
                "10时15分",
                "鄂A·3G5××",
                "轻型厢式货车",
                "乐某某",
                "家具",
                "北山区家具城",
                "江口区新港路",
                600,
            ),
        ),
        (
            "江口区",
            30,
            "2024-06-25",
            org(
                "江城市江口区迅捷搬家服务有限公司",
                "91420105MA4K6E2H4M",
                "简某某",
                "江城市江口区江滩路120号",
            ),
            ["甘", "武"],
            5000,
            "ordinary",
            F(
                1,
                "入口处",
                "14时40分",
                "鄂A·7J2××",
                "中型厢式货车",
                "邢某",
                "居民搬家物品",
                "东湖区书院路",
                "江口区渡口路",
                900,
                own=False,
            ),
        ),
        (
            "东湖区",
            44,
            "2024-11-05",
            ind(
                "蓝某某",
                "男",
                "1979年3月",
                "42010219790317****",
                "江城市东湖区东亭街140号",
            ),
            ["尚", "纪"],
            4000,
            "ordinary",
            F(
                0,
                "东湖收费站出口",
                "9时05分",
                "鄂A·8L1××",
                "轻型栏板货车",
                "蓝某某",
                "蔬菜",
                "江城市白沙洲农副产品市场",
                "东湖区梧桐路",
                350,
            ),
        ),
        (
            "北山区",
            62,
            "2025-04-01",
            org(
                "江城市北山区宏发货运代理有限公司",
                "91420107MA4L1F3J5N",
                "岑某某",
                "江城市北山区北环路500号",
            ),
            ["时", "岳"],
            10000,
            "outlier_high",
            F(
                0,
                "北环物流园门口",
                "16时20分",
                "鄂A·2M9××",
                "重型厢式货车",
                "鲍某",
                "日用百货",
                "北山区北环物流园",
                "西江区枫林路",
                1800,
                own=False,
            ),
        ),
        (
            "江口区",
            12,
            "2025-08-12",
            ind(
                "查某某",
                "男",
                "1986年10月",
                "42010519861022****",
                "江城市江口区新港路66号",
            ),
            ["武", "甘"],
            6000,
            "ordinary",
            F(
                3,
                "新港货运站附近",
                "11时30分",
                "鄂A·5N3××",
                "轻型厢式货车",
                "查某某",
                "建材",
                "江口区新港建材市场",
                "南湖区文昌路",
                800,
            ),
        ),
        (
            "东湖区",
            71,
            "2025-12-09",
            ind(
                "褚某某",
                "男",
                "1991年5月",
                "42010219910528****",
                "江城市东湖区湖滨大道33号",
            ),
            ["纪", "尚"],
            3000,
            "outlier_low",
            F(
                2,
                "与东湖路交叉口",
                "15时50分",
                "鄂A·9P4××",
                "轻型栏板货车",
                "褚某某",
                "装修材料",
                "东湖区建材市场",
                "北山区松涛路",
                500,
            ),
        ),
        (
            "北山区",
            8,
            "2026-03-03",
            org(
                "江城市北山区顺丰达商贸有限公司",
                "91420107MA4M2G4K6P",
                "牛某某",
                "江城市北山区山前大道88号",
            ),
            ["岳", "甘"],
            4000,
            "ordinary",
            F(
                2,
                "北段检查点",
                "8时40分",
                "鄂A·6Q5××",
                "中型厢式货车",
                "侯某",
                "饮料",
                "北山区山前大道仓库",
                "东湖区东湖路",
                700,
                own=False,
            ),
        ),
        (
            "江口区",
            47,
            "2026-06-16",
            ind(
                "晏某某",
                "男",
                "1977年11月",
                "42010519771104****",
                "江城市江口区沿江大道200号",
            ),
            ["武", "时"],
            10000,
            "control_reason",
            F(
                0,
                "江口货运检查站",
                "13时25分",
                "鄂A·1R6××",
                "重型栏板货车",
                "晏某某",
                "钢材",
                "江口区钢材市场",
                "西江区望江大道",
                1500,
            ),
        ),
        (
            "东湖区",
            90,
            "2026-09-22",
            ind(
                "凌某某",
                "女",
                "1988年7月",
                "42010219880719****",
                "江城市东湖区书院路150号",
            ),
            ["尚", "纪"],
            3000,
            "control_reason",
            F(
                4,
                "与书院路交叉口",
                "10时50分",
                "鄂A·4S7××",
                "轻型厢式货车",
                "凌某某",
                "电商包裹",
                "东湖区电商产业园",
                "南湖区桂园路",
                420,
            ),
        ),
        (
            "北山区",
            35,
            "2026-11-17",
            ind(
                "符某某",
                "男",
                "1984年12月",
                "42010719841211****",
                "江城市北山区石门街60号",
            ),
            ["甘", "岳"],
            5000,
            "ordinary",
            F(
                1,
                "北段检查点",
                "9时30分",
                "鄂A·8T2××",
                "轻型栏板货车",
                "符某某",
                "水果",
                "北山区果品批发市场",
                "江口区江滩路",
                450,
            ),
        ),
    ]
    reasons = {
        7: (
            "另查明，当事人曾于2025年3月因未取得道路运输经营许可擅自从事道路普通货物运输经营被本局查处（江口交罚〔2025〕9号），本次系两年内第二次被查处，本局在该档次内从重处罚。",
            "曾于2025年3月因未取得道路运输经营许可擅自从事道路普通货物运输经营被本局查处",
            None,
        ),
        8: (
            "鉴于当事人在调查中主动供述了本局尚未掌握的其于2026年7月另外2次无证运输的违法行为，并如实提供了相关运费收取记录，符合《中华人民共和国行政处罚法》第三十二条第（三）项规定的情形，本局依法对其从轻处罚。",
            "主动供述了本局尚未掌握的其于2026年7月另外2次无证运输的违法行为",
            "《中华人民共和国行政处罚法》第三十二条第（三）项",
        ),
    }
    cases = []
    for i, (dist, seq, date, party, offs, fine, kind, f) in enumerate(raw):
        c = dict(
            district=dist,
            seq=seq,
            date=date,
            party=party,
            officers=[O[o] for o in offs],
            fine=fine,
            kind=kind,
            f=f,
        )
        if i in reasons:
            c["reason"] = reasons[i]
        c["fine_str"] = f"（{fine}元）"
        cases.append(c)
    return dict(
        id="g10",
        item_id="JT-005",
        tier="一般",
        agency_fmt="江城市{d}交通运输局",
        docno_fmt="{s}交罚〔{y}〕{n}号",
        gov="江城市{d}人民政府",
        facts=facts,
        law=law,
        discretion=disc,
        decision=decision,
        evidence=[
            "上述事实有以下证据证明：1.现场检查笔录；2.现场照片及执法记录仪视频；3.对驾驶员及当事人的询问笔录；4.车辆行驶证、驾驶证复印件；5.运输单据、运费收取记录。以上证据经查证属实，足以认定。",
            "以上事实有现场检查笔录、询问笔录、车辆及驾驶员证件复印件、运费支付记录、执法记录仪视频等证据证实。",
            "认定上述事实的证据有：现场笔录、照片、询问笔录、运输单据及主体资格证明材料。",
        ],
        neutral_end=[
            "本局综合考虑当事人违法行为的事实、性质、情节以及社会危害程度，在该档次内确定罚款数额。",
            "本局结合本案具体情节，在该档次内确定罚款数额。",
            "综合本案情况，本局在上述幅度内确定罚款金额。",
        ],
        note="未取得道路运输经营许可擅自从事道路普通货物运输，违法所得不足1万元、两年内首次或第二次被查处，“一般”档罚款3000–10000元。普通案件4000–6000元；两例无理由的极端值（10000元、3000元）；两例有理由的极端值（两年内第二次被查处——仍属“一般”档条件——从重10000元；主动供述未掌握的违法行为依第三十二条第（三）项从轻3000元）。",
        cases=cases,
    )


GROUPS = [g01, g02, g03, g04, g05, g06, g07, g08, g09, g10]


def main():
    out_groups = []
    counts = {}
    for gf in GROUPS:
        g = gf()
        gdir = os.path.join(HERE, "decisions", g["id"])
        os.makedirs(gdir, exist_ok=True)
        metas = []
        seen_no = set()
        for nn, case in enumerate(g["cases"], start=1):
            text, meta = build(g, case, nn)
            assert meta["document_number"] not in seen_no, meta["document_number"]
            seen_no.add(meta["document_number"])
            with open(os.path.join(HERE, meta["file"]), "w", encoding="utf-8") as fh:
                fh.write(text)
            metas.append(meta)
            counts[meta["kind"]] = counts.get(meta["kind"], 0) + 1
        out_groups.append(
            {
                "id": g["id"],
                "item_id": g["item_id"],
                "tier": g["tier"],
                "city": "江城市",
                "note": g["note"],
                "cases": metas,
            }
        )
    doc = {
        "format": "zhifa.consistency-groups/1",
        "description": (
            "同案不同罚 test groups, written blind (without reading the detector). Each group holds 7–10 "
            "fictional 江城市 penalty decisions of the same catalogue item and tier; kinds: ordinary "
            "(fine inside the tier, mostly lower-middle), outlier_high/outlier_low (fine at the tier "
            "extreme with no stated reason; expect_inconsistent true), control_reason (fine at the "
            "extreme with a stated reason, reason_words quoting it; expect_inconsistent false). "
            "All fines lie inside the tier range. Group g04 also carries an officer-level selective-"
            "enforcement signal described in its note."
        ),
        "catalogues": [
            "../../../casebank/resources/catalogues/chengguan.json",
            "../../../casebank/resources/catalogues/shichang.json",
            "../../../casebank/resources/catalogues/shengtai.json",
            "../../../casebank/resources/catalogues/jiaotong.json",
            "../../../casebank/resources/catalogues/ziran.json",
        ],
        "groups": out_groups,
    }
    with open(os.path.join(HERE, "groups.json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(counts, sum(counts.values()))


if __name__ == "__main__":
    main()
