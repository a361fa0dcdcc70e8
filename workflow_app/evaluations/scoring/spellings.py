"""The spelling tables of targets and actuals (年度指标值 / 实际完成值), as data.

Everything the grammar (``grammar.py``) knows about how real reports write an operator, a unit,
a deadline, a yes/no answer or a qualitative judgement is in these tables; the parser has no
spelling of its own. To read a new variant, add a row here (and a corpus row in
tests/evaluations/data/ that shows it).
"""

from __future__ import annotations

from decimal import Decimal

# --------------------------------------------------------------------------- characters

#: Full-width characters typed with Chinese input methods, and look-alikes, mapped to ASCII.
FULLWIDTH = str.maketrans({
    **{chr(0xFF10 + i): str(i) for i in range(10)},
    "．": ".", "％": "%", "＞": ">", "＜": "<", "＝": "=", "，": ",", "＋": "+", "－": "-",
    "（": "(", "）": ")", "～": "~", "〜": "~", "：": ":", "—": "-", "–": "-", "―": "-",
    "≧": "≥", "≦": "≤", "⩾": "≥", "⩽": "≤", "【": "(", "】": ")", "［": "(", "］": ")",
    "﹪": "%", "‰": "‰", "／": "/", "、": "、", "\u3000": " ", "═": "=", "≒": "=",
    "•": "·",
})

#: Multi-character spellings replaced before parsing (LaTeX left by PDF-to-text tools,
#: two-character operators), longest first.
REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("\\geqslant", "≥"), ("\\leqslant", "≤"), ("\\geq", "≥"), ("\\leq", "≤"), ("\\ge", "≥"),
    ("\\le", "≤"), ("\\gt", ">"), ("\\lt", "<"), ("\\%", "%"), ("\\sim", "~"), ("$", ""),
    ("\\", ""), (">=", "≥"), ("=>", "≥"), ("<=", "≤"), ("=<", "≤"), ("==", "="),
)

# --------------------------------------------------------------------------- operators

#: Operator spellings written before the number, with their canonical operator.
#: Matched longest first, so "不低于" never loses to "低于".
OPERATOR_PREFIXES: dict[str, str] = {
    "≥": ">=", "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=",
    "不小于": ">=", "至少": ">=", "最少": ">=", "最低": ">=", "达到": ">=", "达": ">=",
    "高于或等于": ">=", "多于或等于": ">=", "不得低于": ">=", "不得少于": ">=", "确保": ">=",
    "力争": ">=", "保持": ">=", "完成": ">=", "实现": ">=", "新增": ">=", "超过": ">",
    "≤": "<=", "小于等于": "<=", "小于或等于": "<=", "不高于": "<=", "不超过": "<=",
    "不大于": "<=", "不多于": "<=", "至多": "<=", "最多": "<=", "控制在": "<=", "控制": "<=",
    "低于或等于": "<=", "不得超过": "<=", "不得高于": "<=", "不得大于": "<=", "不超出": "<=",
    "压缩在": "<=", "在": "<=",
    "=": "=", "等于": "=", "为": ">=", "共": ">=",
    ">": ">", "大于": ">", "高于": ">", "多于": ">", "优于": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<",
}

#: Words written after the number (and unit) that give or confirm the operator.
OPERATOR_SUFFIXES: dict[str, str] = {
    "以上": ">=", "及以上": ">=", "或以上": ">=", "之上": ">=", "以上(含)": ">=",
    "(含)以上": ">=", "含以上": ">=",
    "以内": "<=", "以下": "<=", "之内": "<=", "内": "<=", "及以下": "<=", "或以下": "<=",
    "以内(含)": "<=", "(含)以内": "<=", "含以内": "<=", "封顶": "<=", "左右": "=",
}

#: Weak operator words: a suffix ("以上", "以内") written after the number overrides them.
WEAK_PREFIXES = frozenset({"在", "共", "为", "完成", "实现", "新增", "保持", "确保", "力争",
                           "达", "控制"})

#: Prefixes meaning "about / in total" that carry no operator of their own.
APPROX_PREFIXES: tuple[str, ...] = ("大约", "约", "近", "累计", "合计", "共计", "总计", "全年",
                                    "年均", "平均", "每年", "年度", "实际", "已")

#: Markers after a number: "10000余件", "300多次".
NUMBER_QUALIFIERS: tuple[str, ...] = ("余", "多", "+")

#: Separators of a range ("90%-95%", "95%~100%", "3至5次").
RANGE_SEPARATORS: tuple[str, ...] = ("-", "~", "至", "到")

#: Words after the number and unit that are not part of the unit ("4次完成", "≥95%达标").
TRAILING_NOISE: tuple[str, ...] = (
    "完成", "以上完成", "及时完成", "达标", "合格", "全覆盖", "覆盖", "/年", "每年", "左右",
    "(含)", "含",
)

# --------------------------------------------------------------------------- units

#: Unit spellings → (canonical unit, dimension, factor to the dimension's base unit).
#: Units of one dimension compare after conversion; count words of the ``count`` dimension are
#: measure words (量词) that reports swap freely between target and actual ("人" / "人次").
UNITS: dict[str, tuple[str, str, Decimal]] = {}


def _add(dimension: str, canonical: str, factor: str, *spellings: str) -> None:
    for spelling in (canonical, *spellings):
        UNITS[spelling] = (canonical, dimension, Decimal(factor))


_add("percent", "%", "1", "百分比", "百分率", "个百分点", "百分点", "pct")
_add("permille", "‰", "1", "千分比")
_add("money", "元", "1", "元/年", "块")
_add("money", "万元", "10000", "万", "万元/年")
_add("money", "亿元", "100000000", "亿")
_add("money", "千元", "1000")
_add("days", "天", "1", "日", "个工作日", "工作日", "天/次", "自然日", "个自然日", "d")
_add("hours", "小时", "1", "个小时", "h", "时")
_add("minutes", "分钟", "1", "min")
_add("weeks", "周", "1", "个星期", "星期")
_add("months", "月", "1", "个月")
_add("quarters", "季度", "1", "个季度")
_add("years", "年", "1", "周年")
_add("area", "平方米", "1", "㎡", "m2", "m²", "平米", "平方")
_add("area", "万平方米", "10000", "万㎡", "万平米", "万m2")
_add("area", "平方公里", "1000000", "km2", "平方千米")
_add("land", "亩", "1")
_add("land", "公顷", "15", "hm2")
_add("land", "万亩", "10000")
_add("length", "米", "1", "m", "M", "延米")
_add("length", "公里", "1000", "千米", "km")
_add("length", "厘米", "0.01", "cm", "公分")
_add("length", "毫米", "0.001", "mm")
_add("weight", "吨", "1", "t")
_add("weight", "千克", "0.001", "公斤", "kg")
_add("weight", "万吨", "10000")
_add("volume", "立方米", "1", "m3", "方", "m³")
_add("power", "千瓦", "1", "kw", "kW")
_add("count", "次", "1", "批次", "次/年", "人次", "场", "场次", "期", "轮", "批", "回", "起",
     "例", "遍", "届", "班次", "课时", "学时", "期次")
_add("count", "人", "1", "名", "位", "人/年", "人/次", "个人")
_add("count", "万人", "10000", "万人次")
_add("count", "个", "1", "项", "件", "份", "本", "册", "篇", "所", "座", "处", "条", "家",
     "户", "辆", "台", "套", "部", "张", "株", "棵", "只", "头", "匹", "块地", "宗", "类",
     "种", "组", "支", "队", "栋", "间", "片", "段", "个村", "村", "镇", "所学校", "期刊",
     "册次", "份次", "件次", "项次", "户次", "台次", "辆次", "盏", "根", "座次", "处次", "套次",
     "户数", "个数", "人数", "家次", "台套", "篇次", "条次", "点", "个点", "个站", "站", "眼",
     "口", "艘", "架", "枚", "颗", "幅", "卷", "盒", "箱", "袋", "包", "瓶", "双", "对", "床",
     "张床", "间房", "单", "宗次", "笔", "单位")
_add("count", "万个", "10000", "万件", "万份", "万册", "万株", "万条", "万户", "万次")

#: Separators of a compound unit ("元/人", "元/生.年", "万元/公里", "元/人·月").
PER_SEPARATORS: tuple[str, ...] = ("/", "每")

#: The dimensions whose units are spelt-out counts: any two of them compare.
COUNT_DIMENSIONS = frozenset({"count"})

#: The dimensions of money (a magnitude slip between 元 and 万元 is worth a flag).
MONEY_DIMENSION = "money"

#: Name words that make a bare ("implicit") target a ceiling: costs and other
#: "lower is better" measures (the 10号 cost indicators: 成本 / 经费控制).
CEILING_NAME_WORDS: tuple[str, ...] = (
    "成本", "经费控制", "费用控制", "造价", "单价", "单位成本", "人均成本", "投资额",
    "支出控制", "超支", "投诉", "事故", "差错", "错误率", "失误", "返工", "耗时", "用时",
    "时限", "周期", "天数", "办结时间", "响应时间", "等待时间", "处理时间", "结余率",
    "调整率", "发生率", "违规", "违纪", "超标", "不合格率", "损失", "退回", "积压",
    "三公经费", "能耗", "漏报", "迟报", "案件数",
)

#: Name endings that make an indicator a rate to reach although its name has a ceiling word
#: ("库存成本核算率", "成本预算执行率"): the ending wins.
CEILING_EXCEPTIONS: tuple[str, ...] = (
    "核算率", "覆盖率", "执行率", "完成率", "达标率", "合格率", "到位率", "及时率", "知晓率",
    "满意度", "满意率", "保障率", "办结率", "处置率", "整改率", "结案率", "响应率", "公开率",
)

# --------------------------------------------------------------------------- dates

#: Words that make a date a deadline ("2021年12月底前完成").
DEADLINE_MARKERS: tuple[str, ...] = ("前", "之前", "以前", "底前", "末前", "止", "为止",
                                     "截止", "截至", "内完成", "完成", "前完成", "底", "末",
                                     "到位", "份前", "中旬前", "上旬前", "下旬前")

#: Words of a note in parentheses after a target that gives its basis, not a unit
#: ("90%(计划标准)", "100%（历史标准）"): the note is dropped before parsing.
BASIS_NOTE_WORDS: tuple[str, ...] = ("标准", "依据", "计划", "历史", "行业", "预期", "参考",
                                     "目标", "要求", "规定")

#: Relative period words → (month, day); the year is the report's fiscal year.
PERIOD_WORDS: dict[str, tuple[int, int]] = {
    "年底": (12, 31), "年末": (12, 31), "年内": (12, 31), "当年": (12, 31), "本年度": (12, 31),
    "全年": (12, 31),
    "年度内": (12, 31), "上半年": (6, 30), "年中": (6, 30), "下半年": (12, 31),
    "第一季度": (3, 31), "一季度": (3, 31), "第二季度": (6, 30), "二季度": (6, 30),
    "第三季度": (9, 30), "三季度": (9, 30), "第四季度": (12, 31), "四季度": (12, 31),
}

#: Words of an actual that answer a deadline: met / not met.
ON_TIME_WORDS: tuple[str, ...] = ("按时", "按期", "如期", "及时", "提前", "准时", "按计划",
                                  "计划完成时间内", "计划时间内完成", "规定期限内",
                                  "按要求", "在规定时间内", "规定时间内", "时间节点内",
                                  "在计划时间内", "计划时间内", "按时间节点", "限时")
LATE_WORDS: tuple[str, ...] = ("延期", "滞后", "逾期", "推迟", "延迟", "超期", "未按时", "未按期",
                               "未及时", "不及时", "拖延", "延后", "未如期")

# --------------------------------------------------------------------------- yes / no

#: Whole answers read as yes / no (after normalisation, lower-cased).
YES_WORDS = frozenset({
    "是", "yes", "y", "true", "1", "√", "✓", "✔", "按时", "及时", "已完成", "完成", "按时完成",
    "达成", "已达成", "达到", "达标", "已达标", "合格", "符合", "有", "已按时完成", "全部完成",
    "已实现", "实现", "已落实", "落实", "已建立", "建立", "健全", "规范", "完善", "及时完成",
    "按期完成", "如期完成", "提前完成", "100%完成", "已公开", "公开", "到位", "已到位", "通过",
    "已通过", "正常", "正常运行", "满足", "满足要求", "符合要求", "符合规定", "是的", "齐全",
    "有效", "准确", "完整", "按要求完成", "全面完成", "顺利完成", "已执行", "执行",
})
NO_WORDS = frozenset({
    "否", "no", "n", "false", "0", "×", "✗", "未按时", "不及时", "未完成", "未按时完成",
    "未达成", "未达到", "未达标", "不达标", "不合格", "不符合", "无", "没有", "未实现",
    "未落实", "未建立", "不健全", "不规范", "不完善", "延期", "延期完成", "滞后", "逾期",
    "未公开", "未到位", "未通过", "不满足", "不齐全", "未执行",
})

#: A target asking a yes/no question, or stating that something is (not) to happen.
YES_NO_TARGET_PREFIXES: tuple[str, ...] = ("是否", "有无", "能否", "可否")
YES_NO_TARGET_SUFFIXES: tuple[str, ...] = ("与否",)
#: A target without a number that ends with one of these promises a yes ("按质按量完成").
YES_TARGET_ENDINGS: tuple[str, ...] = ("完成", "到位", "落实", "达标", "通过", "发放")

#: Operator words that may follow a label ("满意程度达到100%", "覆盖率不低于95%").
LABELLED_OPERATORS: tuple[str, ...] = ("达到", "不低于", "不少于", "不超过", "不高于", "控制在",
                                       "低于", "高于", "超过", "达")

#: Whole targets that expect a "no" (安全事故: 无 / 0起).
NO_TARGETS = frozenset({"无", "否", "没有", "未发生", "不发生", "杜绝", "零发生", "零事故"})
#: Whole targets that are a promise of a yes ("按时完成", "全部完成").
YES_TARGETS = frozenset({
    "是", "有", "按时完成", "及时完成", "按期完成", "如期完成", "按时", "及时", "全部完成",
    "完成", "达标", "合格", "符合", "实现", "落实", "公开", "建立", "健全", "规范", "到位",
    "通过", "正常运行", "按计划完成", "按要求完成", "全覆盖", "全部覆盖", "足额", "足额发放",
    "按时足额发放", "按时发放", "及时发放", "及时足额", "按时足额", "年内完成", "当年完成",
    "按进度完成", "按时间节点完成", "按规定时间完成", "规定时间内完成", "在规定时间内完成",
    "不超预算", "未超预算", "不超出预算", "不超过预算", "控制在预算内", "预算内",
})

# --------------------------------------------------------------------------- qualitative

#: The 10号 tiers of a qualitative judgement, as shares of the weight (min, max).
TIERS: tuple[tuple[str, str, str], ...] = (
    ("达成", "0.8", "1"),
    ("部分达成", "0.6", "0.8"),
    ("未达成", "0", "0.6"),
)

#: Phrases of an actual (or of a qualitative target) that state a tier. The scan takes the
#: longest phrase at each position; a phrase right after a negator (NEGATORS) counts as 未达成.
TIER_PHRASES: dict[str, str] = {
    **dict.fromkeys((
        "达成", "已达成", "达成预期", "达成预期指标", "达成预期目标", "达成目标", "达成年度目标",
        "达到预期", "达到预期目标", "达到预期指标", "达到预期效果", "达到目标", "达到要求",
        "达到标准", "实现预期", "实现预期目标", "实现目标", "完成目标", "完成预期目标",
        "全部完成", "全面完成", "圆满完成", "顺利完成", "已完成", "按时完成", "全部达成",
        "效果明显", "效果显著", "成效明显", "成效显著", "效果良好", "效果较好", "明显提升",
        "显著提升", "明显提高", "显著提高", "大幅提升", "大幅提高", "有效提升", "有效提高",
        "明显改善", "显著改善", "有效改善", "明显增强", "显著增强", "有效增强", "持续提升",
        "不断提升", "不断提高", "稳步提升", "进一步提升", "进一步提高", "得到提升",
        "得到提高", "得到改善", "得到加强", "得到保障", "有力保障", "有效保障", "充分保障",
        "符合要求", "符合规定", "符合标准", "符合预期", "严格执行", "严格按照", "规范有序",
        "运行良好", "运转良好", "正常运行", "正常运转", "稳定运行", "长期有效", "持续发挥",
        "良好", "优良", "优秀", "满意", "较满意", "非常满意", "已落实", "落实到位", "全面落实",
        "有效落实", "合格", "达标", "全覆盖", "有效", "显著", "明显", "较好", "很好", "提升",
        "提高", "改善", "增强", "促进", "推动", "保障", "是", "已实现", "实现",
        "符合", "完成",
    ), "达成"),
    **dict.fromkeys((
        "部分达成", "基本达成", "基本完成", "基本实现", "基本达到", "基本符合", "基本满意",
        "基本落实", "基本到位", "部分完成", "部分实现", "部分落实", "部分达到", "大部分完成",
        "有所提升", "有所提高", "有所改善", "有所增强", "略有提升", "略有提高", "一般",
        "较为一般", "有待提高", "有待提升", "有待加强", "有待改进", "尚需提高", "仍需提升",
        "部分", "基本",
    ), "部分达成"),
    **dict.fromkeys((
        "未达成", "未达到", "未完成", "未实现", "未落实", "未到位", "不符合", "不合格",
        "不达标", "不满意", "效果不明显", "不明显", "效果较差", "较差", "差", "无明显",
        "没有达到", "没有完成", "尚未完成", "尚未达到", "尚未实现", "未能完成", "未能达到",
        "未能实现", "否", "无", "未开展", "未启动", "停滞", "滞后", "延期", "无效",
    ), "未达成"),
}

#: Characters (or words) that negate the positive phrase right after them.
NEGATORS: tuple[str, ...] = ("未能", "尚未", "没有", "未", "不", "无", "没")

#: Words that never negate although they start with a negator character ("不断提升").
NEGATOR_EXCEPTIONS: tuple[str, ...] = ("不断", "无缝", "不懈", "无偿", "不定期", "无差错",
                                       "无事故", "无投诉", "无违规")

#: Qualitative targets commonly written instead of a number (kind "qualitative").
QUALITATIVE_TARGET_PHRASES: tuple[str, ...] = tuple(TIER_PHRASES) + (
    "逐步提高", "逐步提升", "逐年提高", "逐年提升", "持续改善", "持续", "长期", "明显",
    "显著", "积极", "有效", "规范", "合规", "及时", "准确", "完整", "健全", "完善", "良好",
    "较好", "稳定", "安全", "可持续", "保障", "促进", "提高", "提升", "改善", "增强", "降低",
    "减少", "加强", "推进", "满足", "优化", "带动", "影响", "作用", "效益", "效果",
)

#: Chinese numerals in targets such as "一年", "两次", "十二个月".
CN_DIGITS: dict[str, int] = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_TENS = "十"

# --------------------------------------------------------------------------- rules by name

#: Indicator names whose rate the funding table computes (资金 planned / arrived / spent):
#: name word → which rate.
FUNDING_RATE_NAMES: dict[str, str] = {
    "预算执行率": "execution", "资金执行率": "execution", "支出执行率": "execution",
    "资金支出率": "execution", "预算资金执行率": "execution", "执行率": "execution",
    "资金到位率": "arrival", "到位率": "arrival", "预算资金到位率": "arrival",
}

#: Name words of satisfaction indicators (their rule is the satisfaction bands, full at the
#: leaf's own target).
SATISFACTION_NAME_WORDS: tuple[str, ...] = ("满意度", "满意率", "满意程度")

#: How far (percentage points) an entered rate may differ from the funding table's amounts
#: before it is flagged (rounding in the printed tables).
RATE_TOLERANCE = Decimal("0.5")
