"""The demo's Chinese texts of 咨询、投诉、建议、差评 and 综合点评 (issue 14), and the
office's demo word list of the acceptance filter (seed 004 §5). Data only."""

from __future__ import annotations

# (word, reason code of complaints.rules.reasons, "hit" refuse / "cue" triage)
FILTER_WORDS: tuple[tuple[str, str, str], ...] = (
    ("煽动群众聚集", "security", "hit"),
    ("封建迷信", "security", "cue"),
    ("王八蛋", "abuse", "hit"),
    ("狗官", "abuse", "hit"),
    ("废物", "abuse", "hit"),
    ("上访", "petition", "cue"),
    ("征地补偿", "petition", "cue"),
    ("受贿", "discipline", "cue"),
    ("吃拿卡要", "discipline", "cue"),
    ("行政复议", "reconsideration", "cue"),
    ("法院判决", "litigation", "cue"),
    ("仲裁", "litigation", "cue"),
    ("办假证", "unlawful", "cue"),
)

# Background items: {hall} and {matter} are filled in per item.
TEXTS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "在{hall}办理{matter}时，窗口要求提供办事指南以外的材料，来回跑了两趟，希望规范一次性告知。",
        "{matter}网上申请提交后已超过承诺时限仍未办结，电话询问也没有明确答复，请督促办理。",
        "到{hall}办理{matter}，取号后等了一个多小时，只开了一个窗口，希望高峰时段增加人手。",
        "办理{matter}时工作人员对政策解释不清楚，让我自己回去查，希望加强业务培训。",
        "{hall}的{matter}窗口中午不接件，工作日请假来办还得下午再排队，希望推行午间延时服务。",
        "{matter}要求的证明材料需要到三个部门分别开具，能否通过数据共享免于提交？",
    ),
    "inquiry": (
        "请问办理{matter}需要准备哪些材料，能否在网上全程办理？",
        "想咨询{matter}的办理时限和收费标准，办结后证照能否邮寄送达？",
        "{matter}可以委托他人代办吗？代办需要提供什么证明？",
        "{hall}周末是否开放？{matter}能否预约周六办理？",
    ),
    "suggestion": (
        "建议{hall}增加自助打印和复印设备，方便群众现场补充材料。",
        "建议{matter}推行告知承诺制，减少需要提交的证明材料。",
        "建议延长{hall}周末的服务时间，方便上班族办事。",
        "建议在{hall}设置老年人绿色通道和帮办代办窗口。",
    ),
    "comment": (
        "座谈会意见：{hall}整体环境整洁、指引清楚，工作人员服务热情，办事效率比去年明显提高。",
        "意见箱：在{hall}办理{matter}，导办人员主动引导，一次办好，值得表扬。",
        "监督员走访：{hall}叫号系统偶尔故障，群众反映等候信息不透明，建议改进显示屏。",
        "座谈会意见：企业代表认为{matter}审批环节仍偏多，希望进一步压缩办理时限。",
    ),
    "bad_review": (
        "省政务服务网差评转办：{matter}办理过程中多次被退回补正材料，每次只说一个问题，不满意。",
        "省平台转办差评：在{hall}办理{matter}时窗口人员玩手机，等了很久才受理。",
    ),
}

# The four elements of a reply (seed 004 §6(二): 调查核实、处理过程、整改措施、整改结果).
REPLY_PARTS = {
    "investigation": "经调阅办件记录并询问当班窗口人员，反映情况基本属实。",
    "process": "已电话联系诉求人了解具体经过并致歉，约谈相关窗口负责人。",
    "measures": "对窗口人员进行一次性告知制度再培训，更新办事指南并在大厅公示。",
    "result": "已整改完毕，办事指南材料清单与窗口要求一致，诉求人表示认可。",
}
INQUIRY_PARTS = {
    "investigation": "经查询办事指南和系统配置，该事项已开通全程网办。",
    "process": "已电话联系咨询人，逐项说明所需材料和网上申报入口。",
    "measures": "在网上办事大厅该事项页面补充常见问题解答。",
    "result": "咨询人已按指引完成网上申报，办结后证照可免费邮寄。",
}

# Scenario items (one of each interesting case): key, kind, channel, text, outcome.
SCENARIOS: tuple[tuple[str, str, str, str, str], ...] = (
    ("security", "complaint", "web",
     "明天我要在大厅门口煽动群众聚集，让他们谁也别想办公，看你们怎么办。", "refused"),
    ("abuse", "complaint", "app",
     "你们这些狗官，办个证拖了半个月，王八蛋！", "refused"),
    ("no_content", "inquiry", "web", "在吗？", "refused"),
    ("petition", "complaint", "hotline",
     "我家的征地补偿问题反映了三年一直没解决，准备再去市里上访，要求领导出面答复。",
     "refuse:petition"),
    ("discipline", "complaint", "walk_in",
     "举报某局工作人员在审批时吃拿卡要，暗示要请吃饭才给加快办理。", "refuse:discipline"),
    ("reconsideration", "complaint", "web",
     "对区市场监管局作出的行政处罚决定不服，要求撤销，想申请行政复议。",
     "refuse:reconsideration"),
    ("litigation", "complaint", "app",
     "法院判决对方返还欠款已经半年了，一直没有执行，要求政务服务中心帮我催。",
     "refuse:litigation"),
    ("unlawful", "inquiry", "web",
     "谁能帮忙办假证？营业执照上的注册资本想改大一点，价钱好商量。", "refuse:unlawful"),
    ("pestering", "complaint", "hotline",
     "还是上次那件事，你们已经答复过不符合条件，但我不认可，必须给我办下来，否则每天都打。",
     "refuse:pestering"),
    ("triage", "complaint", "web",
     "村里有人说办证要找人，还说要上访才有用，想问问到底需要什么材料，找哪个部门。",
     "triage"),
    ("triage_accepted", "complaint", "village_qr",
     "在村便民服务站办理养老保险认证，工作人员说系统坏了让去镇上，镇上又说可以在村里办，"
     "上访一样来回跑，希望给个准话。", "accept_triage"),
    ("overturned", "complaint", "hotline",
     "来电反映：在窗口询问进度时，工作人员说我“废物一样听不懂”，态度恶劣，要求道歉。",
     "overturn"),
)
