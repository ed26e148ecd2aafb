"""What a citizen should do after a refusal on a public page (the rating pages, the
rater's reply page, /tousu/): one mapping from the stable error code to a plain Chinese
next step, shown under the refusal's own message (which says what happened). The code
itself is never shown to a citizen; it stays in the page as ``data-code`` for support
and tests. ``evaluations/tests/test_refusals.py`` checks that every code these pages can
raise has its entry here. Pure: no ORM."""

from __future__ import annotations

HOTLINE = "如有疑问，请拨打 12345 政务服务便民热线。"

# code → what to do next (the message already says what happened)
ADVICE: dict[str, str] = {
    # invitation links (/r/<token>)
    "invitation.invalid": "请核对短信或回执中的链接是否完整；也可在办事窗口扫码评价。",
    "invitation.expired": "评价期限已过，本次无法再评价。" + HOTLINE,
    "invitation.used": "本次服务已评价，无需再次提交。评价结果可在办理部门查询。",
    "invitation.mismatch": "请使用短信中为该办件发送的链接进行评价。",
    "invitation.nothing_to_rate": "办件办结后会再次通知您评价，请稍后再试。",
    "invitation.no_subject": "请使用短信或回执中的完整链接。",
    "invitation.no_client": "请使用短信或回执中的完整链接。",
    # the rating itself
    "evaluation.already_rated": "本次服务已评价，无需再次提交。",
    "evaluation.invalid_level": "请点选一个评价等级后再提交。",
    "evaluation.reason_required": "请勾选不满意的原因，或在下方文字框写明原因后再提交。",
    "evaluation.reason_not_allowed": "如需填写原因，请先选择“不满意”或“非常不满意”。",
    "evaluation.text_too_long": "请删减文字后再提交。",
    "evaluation.invalid_content": "请重新勾选评价内容后再提交。",
    "evaluation.invalid_item_level": "请重新选择分项评价后再提交。",
    "evaluation.unknown_indicator": "请刷新页面后重新评价。",
    "evaluation.unknown_reason": "请刷新页面后重新勾选原因。",
    "evaluation.unknown_stage": "请刷新页面后重新选择评价环节。",
    "evaluation.stage_not_ratable": "请选择“办件整体”或其他可评价的环节。",
    "evaluation.stage_not_reported": "请选择“办件整体”或其他可评价的环节。",
    "evaluation.stage_batch": "请对批次整体评价。",
    "evaluation.not_completed": "办件办结后您会收到评价邀请，届时再评价。",
    "evaluation.window_closed": "评价期限已过，本次无法再评价。" + HOTLINE,
    "evaluation.withdrawn": "该办件已撤回，无需评价。" + HOTLINE,
    "evaluation.concurrent": "请稍等几秒后再提交一次。",
    "evaluation.self_rating": "请由办事群众本人评价。",
    "evaluation.invalid_channel": "请刷新页面后重新评价。",
    "evaluation.invalid_assess_number": "请刷新页面后重新评价。",
    "evaluation.phone_disabled": "请通过短信链接或窗口扫码评价。",
    "evaluation.phone_entry_forbidden": "请通过短信链接或窗口扫码评价。",
    "evaluation.already_invalidated": HOTLINE,
    "rate_limited": "请稍等一分钟后再试。",
    "rating.staff_own_org": "工作人员不能评价本单位的办件，请由办事群众本人评价。",
    "handling.not_found": "请以评价器屏幕显示的办件为准。",
    "handling.not_rateable": "请返回办件列表，选择标有“去评价”的办件。",
    "handling.ambiguous": HOTLINE,
    # window QR and SMS codes
    "window.not_found": "请扫描窗口张贴的最新二维码，或向窗口工作人员咨询。",
    "phone.invalid": "请输入 11 位手机号码，例如 13800138000。",
    "phone.too_many_sends": "验证码已发出，请查收短信；等待倒计时结束后可重新获取。",
    "phone.too_many_attempts": "请点击“重新获取验证码”，使用新收到的验证码。",
    "phone.code_invalid": "请核对短信中的 6 位验证码后重新输入。",
    "phone.code_expired": "请点击“重新获取验证码”，使用新收到的验证码。",
    "phone.session_expired": "为保护您的信息，验证 15 分钟后失效。请重新扫码并验证手机号。",
    # evaluator pad and kiosk
    "device.unbound": "请联系大厅管理员为本设备绑定窗口。",
    "device.invalid": "请联系大厅管理员重新绑定本设备。",
    "pad.not_presented": "请对屏幕上当前显示的办件进行评价。",
    # the rater's reply page (/workorders/reply/…)
    "workorder.not_found": "请核对短信中的链接是否完整。" + HOTLINE,
    "workorder.invalid_flag": "请点击“满意”或“不满意”。",
    "workorder.text_required": "请写明不满意的原因后再提交。",
    "workorder.text_too_long": "请删减文字后再提交。",
    "workorder.invalid_text": "请重新填写后再提交。",
    "workorder.satisfaction_given": "您已评价过整改结果，无需再次提交。",
    "workorder.reply_not_released": "部门反馈发布后会以短信通知您，届时再评价。",
    "workorder.invalid_transition": "您的意见已记录，无需再次提交。",
    "workorder.concurrent": "请刷新页面后再试。",
    "workorder.unknown_action": "请刷新页面后再试。",
    "workorder.invalid_channel": "请刷新页面后再试。",
    # /tousu/ (咨询投诉建议)
    "complaint.content_required": "请写明您要咨询、投诉或建议的内容。",
    "complaint.invalid_cause": "请从列表中重新选择问题类别，或不选。",
    "complaint.content_too_long": "请删减文字后再提交。",
    "complaint.subject_too_long": "请删减文字后再提交。",
    "complaint.comment_too_long": "请删减文字后再提交。",
    "complaint.name_required": "请填写您的姓名，便于部门联系您。",
    "complaint.name_too_long": "请填写真实姓名。",
    "complaint.phone_required": "请填写手机号码并完成短信验证。",
    "complaint.phone_not_verified": "请重新获取验证码，验证后再提交。",
    "complaint.invalid_kind": "请选择咨询、投诉或建议。",
    "complaint.invalid_reply_channel": "请选择一种答复方式。",
    "complaint.invalid_ref": "受理编号在提交成功的页面和短信中，请核对后重新输入。",
    "complaint.too_many": HOTLINE,
    "complaint.busy": "请稍等几分钟后再提交。",
    "complaint.no_office": HOTLINE,
    "complaint.not_answered": "部门答复后会以短信通知您，届时再评价。",
    "complaint.answer_already_rated": "您已评价过本次答复，无需再次提交。",
    "complaint.invalid_answer_level": "请点选 1 至 5 星后再提交。",
    "complaint.resolved_required": "请选择“已解决”或“未解决”。",
    "complaint.attachment_empty": "请重新选择文件上传。",
    "complaint.attachment_too_big": "请压缩文件或拍照上传较小的图片。",
    "complaint.attachment_type": "请上传图片（JPG、PNG）或 PDF 文件。",
    "complaint.too_many_attachments": "请删去部分附件后再提交。",
    # generic refusals of the edge (core) that any public page can meet
    "request.too_large": "请删减文字或附件后再提交。",
    "request.personal_data_in_url": "请从页面上的按钮进入，不要在网址中填写个人信息。",
}

# a code of a family not listed above still gets a sensible next step
FAMILY_ADVICE: dict[str, str] = {
    "invitation": "请核对评价链接；也可在办事窗口扫码评价。" + HOTLINE,
    "evaluation": "请检查后重新提交。" + HOTLINE,
    "phone": "请重新获取验证码后再试。",
    "workorder": "请刷新页面后再试。" + HOTLINE,
    "complaint": "请检查后重新提交。" + HOTLINE,
}


def refusal_advice(code: str) -> str:
    """The next step for ``code``: its own entry, its family's, or the hotline."""
    if code in ADVICE:
        return ADVICE[code]
    return FAMILY_ADVICE.get(code.partition(".")[0], HOTLINE)
