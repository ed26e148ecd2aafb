"""The acceptance filter's language data (seed 004 §5). Pure data, no ORM.

Two kinds of lists live here:

- ``DEFAULT_WORDS``: the office's starting word lists, one ``(reason, word, strength)``
  per row. Migration ``0002_default_filter_words`` copies them into ``FilterWord``; from
  then on the office keeps the table (``/work/complaints/words/``) and the filter reads the
  table, never this tuple. ``hit`` refuses when the word stands in the text as a word of its
  own (jieba token boundaries) and is not quoted, reported or negated; ``cue`` only sends
  the item to the office's triage queue. A word is a ``hit`` only when no ordinary
  government-service item would use it: anything a citizen might write in passing is a cue.
- the built-in lexicons the structural checks use (fillers, demand markers, service terms,
  the words that make a hit a mere mention). They are part of the method, not of the
  office's policy, and change with the code and its measured test set.
"""

from __future__ import annotations

HIT = "hit"
CUE = "cue"

_SECURITY_HITS = ("颠覆国家政权", "推翻政府", "分裂国家", "煽动民族仇恨", "打倒共产党",
                  "法轮功", "法轮大法", "全能神", "恐怖袭击", "制造爆炸", "破坏民族团结")
_SECURITY_CUES = ("煽动", "游行示威", "聚众", "集体上街", "拉横幅", "堵政府大门", "围堵",
                  "同归于尽", "炸药", "炸掉", "放火烧", "看风水", "算命", "驱鬼", "做法事",
                  "神灵", "邪教", "暴乱")
_ABUSE_HITS = ("傻逼", "煞笔", "傻X", "他妈的", "操你妈", "草泥马", "狗日的", "王八蛋",
               "去死吧", "死全家", "贱人", "畜生", "垃圾政府", "狗官", "你妈逼", "尼玛的")
_ABUSE_CUES = ("废物", "混蛋", "滚蛋", "脑残", "白痴", "饭桶", "人渣", "一群垃圾",
               "什么玩意", "吃屎")
_PESTERING_CUES = ("天天打电话", "每天都来投诉", "直到你们", "投诉到底", "没完",
                   "再不给说法", "我就一直投诉", "第十次", "无数次投诉")
_PETITION_HITS = ("进京上访", "越级上访", "信访复查", "信访复核")
_PETITION_CUES = ("上访", "上访户", "信访", "信访局", "集体访", "访民")
_DISCIPLINE_HITS = ("贪污受贿", "举报贪污", "收受贿赂", "索贿", "纪委监委", "违纪违法问题")
_DISCIPLINE_CUES = ("纪委", "受贿", "贪污", "行贿", "腐败", "吃拿卡要", "收红包", "送红包",
                    "好处费", "公款吃喝", "违纪", "监察委")
_RECONSIDERATION_HITS = ("申请行政复议", "复议申请书", "不服复议决定")
_RECONSIDERATION_CUES = ("行政复议", "复议", "撤销处罚决定", "不服处罚决定", "不服行政处罚",
                         "撤销行政许可决定")
_LITIGATION_HITS = ("要求改判", "判决不公", "申请再审", "撤销判决", "仲裁结果不公",
                    "法院执行不力", "法官枉法")
_LITIGATION_CUES = ("起诉", "判决", "仲裁", "仲裁委", "打官司", "再审", "上诉",
                    "强制执行", "诉讼", "律师函", "立案庭", "执行局", "枉法")
_UNLAWFUL_HITS = ("办假证", "假证", "代开发票", "买卖发票", "出售公民信息", "出售个人信息",
                  "洗钱", "买卖枪支", "代办假", "伪造公章")
_UNLAWFUL_CUES = ("伪造", "赌博", "毒品", "枪支", "刷单", "人肉搜索", "曝光他的住址",
                  "公布他的身份证", "私刻公章", "黑中介", "走后门")


def _rows(reason: str, strength: str, words: tuple[str, ...]) -> tuple[tuple[str, str, str],
                                                                         ...]:
    return tuple((reason, w, strength) for w in words)


DEFAULT_WORDS: tuple[tuple[str, str, str], ...] = (
    _rows("security", HIT, _SECURITY_HITS) + _rows("security", CUE, _SECURITY_CUES)
    + _rows("abuse", HIT, _ABUSE_HITS) + _rows("abuse", CUE, _ABUSE_CUES)
    + _rows("pestering", CUE, _PESTERING_CUES)
    + _rows("petition", HIT, _PETITION_HITS) + _rows("petition", CUE, _PETITION_CUES)
    + _rows("discipline", HIT, _DISCIPLINE_HITS) + _rows("discipline", CUE, _DISCIPLINE_CUES)
    + _rows("reconsideration", HIT, _RECONSIDERATION_HITS)
    + _rows("reconsideration", CUE, _RECONSIDERATION_CUES)
    + _rows("litigation", HIT, _LITIGATION_HITS) + _rows("litigation", CUE, _LITIGATION_CUES)
    + _rows("unlawful", HIT, _UNLAWFUL_HITS) + _rows("unlawful", CUE, _UNLAWFUL_CUES)
)

# Tokens that carry no concrete content: greetings, particles, pronouns, test noise. An
# item whose every token is one of these (or punctuation) has nothing to act on.
FILLERS = frozenset((
    "你好", "您好", "你们好", "在吗", "在不在", "请问", "谢谢", "感谢", "麻烦", "哈哈", "呵呵",
    "嗯嗯", "好的", "测试", "测试一下", "试试", "试一下", "随便", "看看", "有人", "没有",
    "什么", "怎么", "这个", "那个", "一下", "一个", "我们", "你们", "他们", "我", "你", "他",
    "她", "它", "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "噢", "在", "是", "有", "和",
    "就", "都", "也", "还", "又", "要", "想", "说", "问", "好", "不", "很", "太", "真", "事",
    "事情", "东西", "问题", "情况", "我要", "一直", "现在", "今天", "昨天", "唉", "哎", "咋",
    "那么", "这么", "这样", "那样", "还有", "然后", "所以", "但是", "因为", "可以", "知道",
    "xx", "xxx", "123", "abc", "test", "ok",
))

# POS tags of jieba.posseg that count as noun-like (content a handler can act on): nouns
# and their kinds, place words, verbal and adjectival nouns, idioms and abbreviations,
# foreign words (APP, ETC, 12345 is a number and does not count).
NOUN_TAGS = ("n", "vn", "an", "s", "nz", "eng", "j", "l", "i", "nr", "ns", "nt", "ng", "nrt")

# Words that show what the submitter wants: a question, a request, a proposal, a reported
# problem. An item with content but none of these (and no service term) has an unclear
# demand and goes to triage (the handler may call within one working day, §6(一)).
DEMAND_MARKERS = (
    "？", "?", "吗", "怎么", "如何", "为什么", "为何", "凭什么", "什么时候", "什么材料",
    "哪里", "哪个", "多久", "多长时间", "能否", "可否", "是否", "能不能", "可不可以", "请问",
    "请求", "恳请", "请尽快", "请帮", "请给", "请予", "请相关", "咨询", "希望", "要求", "建议",
    "盼望", "应该", "应当", "改进", "改善", "解决", "处理", "答复", "说明", "投诉", "反映",
    "举报", "不满", "太慢", "太长", "太差", "态度", "推诿", "刁难", "拖延", "不给办",
    "不予办理", "没人", "无人", "多次", "反复", "重复", "退回", "排队", "等了", "不耐烦",
    "不合理", "收费", "乱收", "错误", "出错", "失败", "打不开", "登不上", "无法", "不能",
    "不让", "增加", "开通", "延长", "优化", "简化", "取消", "恢复", "公开", "告知", "一次性",
    "耽误", "困难", "麻烦您", "跑了", "跑腿",
)

# Government-service vocabulary: a text naming one of these is about a service even when
# its demand is implicit ("社保卡补办进度一直查不到").
SERVICE_TERMS = (
    "办理", "办事", "窗口", "大厅", "中心", "材料", "证明", "证件", "执照", "许可", "审批",
    "登记", "备案", "社保", "医保", "公积金", "户籍", "户口", "身份证", "居住证", "不动产",
    "房产", "营业", "税", "发票", "预约", "取号", "排队", "网上", "网办", "系统", "平台",
    "APP", "小程序", "热线", "12345", "工作人员", "部门", "局", "政务", "服务",
    "补办", "换证", "过户", "退休", "养老", "低保", "救助", "补贴", "学籍", "入学", "驾驶证",
    "车辆", "出入境", "护照", "签注", "结婚", "离婚", "出生", "准生", "殡葬", "水电", "燃气",
)

# A hit word right after one of these is reported, not said ("工作人员骂我傻逼",
# "窗口让我去申请行政复议", "我不是要上访"): the item goes to triage instead of refusal.
MENTION_BEFORE = ("骂我", "骂人", "骂", "说我", "称我", "叫我", "让我", "告诉我", "告知",
                  "建议我", "要我", "被说", "被骂", "说是", "说要", "说什么", "不是", "并非",
                  "没有", "不想", "不要", "无意", "不打算", "以为是", "所谓")
MENTION_WINDOW = 6  # characters before a hit searched for the words above
# Quotation marks: a hit between an opening and a closing one is quoted, not said.
QUOTE_PAIRS = (("“", "”"), ("「", "」"), ("『", "』"), ('"', '"'), ("‘", "’"), ("《", "》"))
