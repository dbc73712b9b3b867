"""The workbench's words, Chinese first with English beside: ``t(key, lang, **fields)``."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # tabs
    "tab.setup": ("设置", "Setup"),
    "tab.live": ("现场评分", "Live"),
    "tab.leaderboard": ("排行榜", "Leaderboard"),
    "tab.consistency": ("一致性", "Consistency"),
    "tab.allocation": ("资金分配", "Allocation"),
    "tab.export": ("导出", "Export"),
    "lang.switch": ("English", "中文"),
    # current project
    "now": ("正在路演", "Now pitching"),
    "none_now": ("尚未开始路演", "No project is pitching yet"),
    "next": ("下一个项目 ▶", "Next project ▶"),
    "prev": ("◀ 上一个", "◀ Previous"),
    "set_current": ("设为当前", "Set as current"),
    # entry
    "saved": ("已保存 ✓", "Saved ✓"),
    "saved_value": ("已保存 {value:g} ✓", "Saved {value:g} ✓"),
    "confirm_outlier": ("{judge} 的总分明显偏离其他评委 (z = {z:.1f})，确认保存 {value:g}？",
                        "{judge}'s total is far from the panel (z = {z:.1f}); save {value:g}?"),
    "confirm": ("确认保存", "Confirm"),
    "cancel": ("取消", "Cancel"),
    "reason": ("更正理由", "Reason for correction"),
    "needs_reason": ("更正已保存的分数需要填写理由", "Correcting a saved score needs a reason"),
    "not_number": ("请输入数字", "Enter a number"),
    # evalkit.numbers.read_number's other refusals (its problem names are the keys)
    "empty": ("未填写分数，已保存的分数未改变", "Nothing entered; the saved score is unchanged"),
    "ambiguous": ("数值不明确（如 1,000 可能是一千，也可能是 1.000），请用小数点输入",
                  "Ambiguous number (1,000 may be one thousand or 1.000): type it with a decimal point"),
    "confirm_out_of_line": ("{judge}：{criterion} {value} 使总分为 {total}，远离其他 {n} 位评委（正常范围 {low}–{high}，"
                            "中位数 {median}）。确认保存 {value}？",
                            "{judge}: {criterion} {value} makes the total {total}, far from the other {n} judges "
                            "(expected {low}–{high}, median {median}). Save {value}?"),
    # the Live tab's log of corrections (evalkit.audit.change_log)
    "audit": ("更正记录", "Corrections"),
    "audit_none": ("本轮尚无更正", "No corrections in this round yet"),
    "audit.time": ("时间", "Time"),
    "audit.by": ("操作人", "By"),
    "audit.project": ("项目", "Project"),
    "audit.judge": ("评委", "Judge"),
    "audit.criterion": ("指标", "Criterion"),
    "audit.change": ("变更", "Change"),
    "audit.old": ("原分数", "Old"),
    "audit.new": ("新分数", "New"),
    "audit.reason": ("理由", "Reason"),
    "by.secretary": ("秘书", "secretary"),
    "by.import": ("导入", "import"),
    "conflict": ("回避", "Conflict of interest"),
    "conflict_long": ("您与本项目存在利益关系，须回避，不能评分。", "You have a conflict of interest with this project and must not score it."),
    "locked": ("本轮已锁定", "This round is locked"),
    "lock": ("锁定本轮", "Lock round"),
    "unlock": ("解锁本轮", "Unlock round"),
    "pending": ("未完成评分", "Not yet scored"),
    "pending_none": ("全部评委已完成评分 ✓", "Every judge has scored ✓"),
    "pending_item": ("{name}（{scored}/{of}）", "{name} ({scored}/{of})"),
    # judge page
    "judge_hello": ("评委：{name}", "Judge: {name}"),
    "submit": ("提交评分", "Submit scores"),
    "submitted": ("已提交 ✓ 锁定前可修改", "Submitted ✓ you can correct until the round is locked"),
    "bad_link": ("评委链接无效，请向评审秘书索取新的链接。", "This judge link is not valid; ask the secretary for a new one."),
    "total": ("合计", "Total"),
    "waiting": ("等待路演开始…", "Waiting for the roadshow to start…"),
    "incomplete": ("请填写全部评分项", "Please fill in every criterion"),
    # screen / leaderboard
    "result": ("最终得分", "Final score"),
    "rule.trimmed": ("去掉{k}个最高分、去掉{k}个最低分后取平均", "mean after dropping the {k} highest and {k} lowest"),
    "rule.mean": ("平均分", "mean"),
    "rule.sum": ("总分", "sum"),
    "rule.median": ("中位数", "median"),
    "leaderboard": ("排行榜", "Leaderboard"),
    "rank": ("名次", "Rank"),
    "project": ("项目", "Project"),
    "score": ("得分", "Score"),
    "judges_n": ("评委数", "Judges"),
    "calibrated": ("校正模型（加性）", "Calibrated (additive)"),
    "contest_rule": ("大赛规则", "Contest rule"),
    "tied": ("并列", "tie"),
    "excluded": ("否决", "vetoed"),
    "waiting_projects": ("尚未达到评分人数：{n} 个项目", "Not enough scores yet: {n} projects"),
    "no_ranking": ("暂无可排名的项目", "No project can be ranked yet"),
    "change_up": ("▲{n}", "▲{n}"),
    "change_down": ("▼{n}", "▼{n}"),
    # access
    "pin": ("秘书PIN码", "Secretary PIN"),
    "pin_enter": ("进入", "Enter"),
    "pin_needed": ("本评分库设有PIN码，请输入秘书PIN码。", "This store has a PIN: enter the secretary's PIN."),
    "pin_wrong": ("PIN码错误", "Wrong PIN"),
    "pin_left": ("再错 {n} 次后须等待才能再试。", "{n} more wrong PIN(s) and you must wait before trying again."),
    "pin_wait": ("PIN码错误次数过多，请 {seconds} 秒后再试。", "Too many wrong PINs: try again in {seconds} s."),
    # setup / other tabs
    "contest_folder": ("大赛目录", "Contest folder"),
    "open": ("打开", "Open"),
    "valid": ("校验通过 ✓", "Valid ✓"),
    "create": ("新建大赛", "Create contest"),
    "backup": ("备份评分库", "Back up the store"),
    "backup_done": ("已备份到 {path}", "Backed up to {path}"),
    "error": ("错误：{text}", "Error: {text}"),
    "alpha": ("评委总分一致性 Krippendorff α（区间）", "Agreement of judges' totals, Krippendorff's α (interval)"),
    "no_alerts": ("未发现异常评委 ✓", "No judge stands out ✓"),
    "severity_note": ("宽严度（severity）= 其他评委均分减去该评委总分的平均差：正值偏严，负值偏宽",
                      "severity = mean of the other judges' totals minus this judge's: positive = harsh, "
                      "negative = lenient"),
    "refresh": ("刷新", "Refresh"),
    "budget": ("资金总额", "Budget"),
    "requested": ("申请金额", "Requested"),
    "amount": ("资助金额", "Awarded"),
    "fraction": ("资助比例", "Share funded"),
    "p_funded": ("资助概率", "P(funded)"),
    "why": ("说明", "Reason"),
    "rule": ("分配规则", "Rule"),
    "threshold": ("最低分数线", "Score threshold"),
    "category_min": ("每类最低占比", "Minimum share per category"),
    "category_max": ("每类最高占比", "Maximum share per category"),
    "min_fraction": ("最低部分资助比例", "Smallest partial share"),
    "allocate": ("计算分配", "Allocate"),
    "probability": ("计算资助概率（重抽样评委）", "Probability of funding (resampling judges)"),
    "publish": ("生成公示文件", "Write the publication files"),
    "publish_public": ("生成公示（公开版，不含评委姓名）", "Publish (public version, no judge named)"),
    "publish_internal": ("生成内部版（含评委姓名）", "Internal version (with judges' names)"),
    "published": ("已生成：{files}", "Written: {files}"),
    "rubric": ("评分标准", "Rubric"),
    "name": ("大赛名称", "Contest name"),
    "projects_csv": ("项目列表（CSV：id,name,organisation,category,requested,min_amount）",
                     "Projects (CSV: id,name,organisation,category,requested,min_amount)"),
    "judges_csv": ("评委列表（CSV：id,name,panel,conflicts）", "Judges (CSV: id,name,panel,conflicts)"),
    "new_folder": ("新大赛目录", "New contest folder"),
    "created": ("已创建并校验通过：{path}", "Created and validated: {path}"),
    "serve_hint": ("用 evalkit serve {path} 开始现场评审", "Start the live show with: evalkit serve {path}"),
}


def t(key: str, lang: str = "zh", **fields) -> str:
    """The message ``key`` in ``lang`` ('zh' or 'en'), formatted with ``fields``."""
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def rule_text(rubric, lang: str = "zh") -> str:
    """The contest rule in words (shown on the screen under the final score)."""
    return t(f"rule.{rubric.rule.method}", lang, k=rubric.rule.trim)
