"""Every text the dashboard shows, in Chinese (default) and English.

    t("reset", "en")                         -> "Reset"
    t("freshness", "zh", day="2025-06-30")   -> "数据更新至 2025-06-30"

Figure names and definitions come from `xieshang.metrics.FIGURE_INFO`, vocabulary labels
from `xieshang.contract.columns.label`, so each has one copy. A missing key shows the key itself
(visible in review, never an error).
"""

from __future__ import annotations

from xieshang.contract.columns import label

TEXT: dict[str, tuple[str, str]] = {
    # the shell
    "app_title": ("协商治理看板", "Consultative Governance Dashboard"),
    "page_overview": ("总览", "Overview"),
    "page_participation": ("党员参与", "Party participation"),
    "page_resolutions": ("决议落实", "Resolutions"),
    "page_stakeholders": ("多元参与", "Stakeholders"),
    "page_assessment": ("考核评估", "Assessment"),
    "page_data_quality": ("数据质量", "Data quality"),
    "page_screen": ("大屏", "Wall screen"),
    "page_not_found": ("未找到页面", "Page not found"),
    "freshness": ("数据更新至 {day}", "Data updated to {day}"),
    "freshness_none": ("尚未载入数据", "No data loaded yet"),
    "lang_switch": ("EN", "中文"),
    "lang_switch_title": ("Switch to English", "切换为中文"),
    # filter bar
    "f_county": ("县（市、区）", "County"),
    "f_all_counties": ("全部县（市、区）", "All counties"),
    "ov_map_counties": ("各县（市、区）{figure}", "{figure}: counties of {city}"),
    "drill_hint_map_county": (
        "点击县（市、区）可查看其各乡镇（街道）",
        "Click a county to see its townships",
    ),
    "f_township": ("乡镇（街道）", "Township"),
    "f_village": ("村（社区）", "Village"),
    "f_all_townships": ("全部乡镇（街道）", "All townships"),
    "f_all_villages": ("全部村（社区）", "All villages"),
    "f_period": ("统计期", "Period"),
    "p_month": ("本月", "This month"),
    "p_quarter": ("本季度", "This quarter"),
    "p_year": ("本年", "This year"),
    "p_custom": ("自定义", "Custom"),
    "f_form": ("协商形式", "Form"),
    "f_all_forms": ("全部形式", "All forms"),
    "f_category": ("议题类别", "Topic"),
    "f_all_categories": ("全部类别", "All topics"),
    "f_online_yes": ("仅线上会议", "Online meetings only"),
    "f_online_no": ("仅线下会议", "In-person meetings only"),
    "reset": ("重置", "Reset"),
    # notices (parse_query reasons)
    "notice_title": (
        "地址中有无效参数，已改用默认值：",
        "The address has invalid values; the defaults are shown instead:",
    ),
    "notice_bad_scope": (
        "scope=“{value}” 不是区划代码（应为 6、9 或 12 位数字）",
        "scope=“{value}” is not an area code (6, 9 or 12 digits)",
    ),
    "notice_unknown_scope": (
        "scope=“{value}” 不在区划名册中",
        "scope=“{value}” is not in the roster",
    ),
    "notice_outside_scope": (
        "scope=“{value}” 不在您的查看范围内，已显示本乡镇",
        "scope=“{value}” is outside what you may see; your township is shown",
    ),
    "notice_bad_date": (
        "{param}=“{value}” 不是有效日期（格式 YYYY-MM-DD）",
        "{param}=“{value}” is not a valid date (YYYY-MM-DD)",
    ),
    "notice_reversed_dates": (
        "起始日期晚于截止日期（{value}）",
        "the period starts after it ends ({value})",
    ),
    "notice_bad_form": (
        "form=“{value}” 不是协商形式的代码或名称",
        "form=“{value}” is not a meeting form",
    ),
    "notice_bad_category": (
        "category=“{value}” 不是议题类别的代码或名称",
        "category=“{value}” is not a topic category",
    ),
    "notice_bad_online": ("online=“{value}” 应为 yes 或 no", "online=“{value}” must be yes or no"),
    "notice_bad_figure": (
        "figure=“{value}” 不是总览可选的指标",
        "figure=“{value}” is not a figure the overview offers",
    ),
    "notice_bad_superseded": (
        "superseded=“{value}” 应为 yes 或 no",
        "superseded=“{value}” must be yes or no",
    ),
    "notice_bad_lang": ("lang=“{value}” 应为 zh 或 en", "lang=“{value}” must be zh or en"),
    "notice_bad_month": (
        "month=“{value}” 不是有效月份（格式 YYYY-MM）",
        "month=“{value}” is not a valid month (YYYY-MM)",
    ),
    "notice_bad_headers": (
        "headers=“{value}” 应为 zh 或 machine",
        "headers=“{value}” must be zh or machine",
    ),
    # a download's address refused (/download/<file>): what is wrong, what to do
    "dl_no_such_file": (
        "没有这个下载文件：请检查地址",
        "No such file to download: check the address",
    ),
    "dl_not_for_role": (
        "您的角色不能下载 {name}：如需此文件请联系管理员",
        "Your role may not download {name}: ask an administrator if you need it",
    ),
    "dl_outside_scope": (
        "scope=“{value}” 不在您的查看范围内：请去掉 scope，或改用本乡镇及其村的区划代码",
        "scope=“{value}” is outside what you may see: leave scope out, or give your "
        "township's code or one of its villages'",
    ),
    "dl_bad_value": ("{notice}：请改正地址后再下载", "{notice}: correct the address and try again"),
    "dl_nothing": (
        "{start} 至 {end} 没有可下载的数据：请选择有数据的统计期",
        "Nothing to download from {start} to {end}: choose a period with data",
    ),
    # KPI cards
    "vs_previous": ("较上期", "vs previous period"),
    "points": ("个百分点", "pp"),
    "days_unit": ("天", "days"),
    "score_unit": ("分", "points"),
    "no_previous": ("上期无可比数据", "no comparable previous value"),
    "previous_before_data": (
        "数据始于 {first}，无上期可比",
        "no previous period: data begin {first}",
    ),
    "previous_before_data_title": (
        "上期 {start} 至 {end} 早于数据起始 {first}，不作比较",
        "the previous period {start} to {end} begins before the data ({first})",
    ),
    "unchanged": ("持平", "unchanged"),
    "as_of": ("截至 {day}", "as of {day}"),
    "previous_period": ("上期 {start} 至 {end}：{value}", "previous {start} to {end}: {value}"),
    "definition": ("口径", "Definition"),
    "above_one_flag": (
        "超过100%：请核对党员名册与签到数据",
        "Above 100%: check the roster and attendance",
    ),
    # empty and error states
    "no_data": ("本期无数据", "No data for this period"),
    "no_data_why": (
        "{scope}在 {start} 至 {end} 期间尚未报送协商会议",
        "{scope} reported no meetings from {start} to {end}",
    ),
    "no_rows_why": ("该范围内没有下级单位", "This scope has no units below it"),
    "empty_warehouse": (
        "仓库中尚无数据。请先运行 xieshang load 收件箱目录，或运行 xieshang demo 载入演示数据。",
        "The warehouse is empty. Run `xieshang load INBOX`, or `xieshang demo` for demo data.",
    ),
    "error": (
        "这部分未能显示（错误编号 {error_id}）。请刷新页面；若仍出现，请把此编号告知管理员。",
        "This part could not be shown (error {error_id}). Reload the page; if it persists, "
        "tell the administrator this number.",
    ),
    # a callback the server did not answer (assets/session.js shows it): the parts on the
    # page kept what they showed before, which the filters no longer describe
    "no_answer": (
        "服务器没有应答，本页的数字未能更新，可能与所选条件不符。"
        "请检查网络连接后刷新页面；若仍出现，请告知管理员。",
        "The server did not answer: the figures on this page were not updated and may not "
        "match the filters. Check the network connection and reload the page; if it persists, "
        "tell the administrator.",
    ),
    "loading": ("正在加载…", "Loading…"),
    # chart cards
    "data": ("数据", "Data"),
    "data_title": ("显示图表背后的数字", "Show the numbers behind the chart"),
    "csv": ("下载 CSV", "Download CSV"),
    "col_area": ("单位", "Unit"),
    "col_code": ("区划代码", "Area code"),
    "col_township_code": ("乡镇代码", "Township code"),
    "col_month": ("月份", "Month"),
    "col_rank": ("名次", "Rank"),
    "col_numerator": ("分子", "Numerator"),
    "col_denominator": ("分母", "Denominator"),
    "col_categories": ("涵盖类别数（共10类）", "Categories reached (of 10)"),
    "col_meetings": ("会议数", "Meetings"),
    "col_ci_low": ("95%区间下限", "95% CI low"),
    "col_ci_high": ("95%区间上限", "95% CI high"),
    "col_note": ("说明", "Note"),
    "too_few": ("样本过少", "too few to rank"),
    "too_few_note": (
        "灰色：分母少于 {n}，样本过少，不参与排名",
        "Grey: fewer than {n} in the denominator, too few to rank",
    ),
    "average": ("{scope}平均 {value}", "{scope} average {value}"),
    "units_average": ("{scope}各单位平均 {value}", "{scope}'s units' mean {value}"),
    "ci_hover": ("95%区间", "95% CI"),
    "figure_select": ("指标", "Figure"),
    "map_missing": ("以下单位无边界数据：{names}", "No boundary data for: {names}"),
    "no_geometry": (
        "无地图边界数据（放置方法见 assets/geo/README.md）",
        "No boundary data (see assets/geo/README.md)",
    ),
    "drill_hint_map": (
        "点击乡镇可查看其各村（社区）",
        "Click a township to see its villages",
    ),
    "drill_hint_bar": ("点击条形可进入该单位", "Click a bar to open that unit"),
    "no_value": ("无数据", "no data"),
    # participation / stakeholders pages
    "over_100": ("超过100%（数据问题）", "Above 100% (data problem)"),
    "pp_over_100_note": (
        "⚠ {names}的党员参与率超过100%（红色斜纹），属数据问题，不参与排名。",
        "⚠ {names}: Party participation above 100% (red, hatched), a data problem, not ranked.",
    ),
    "pp_over_100_link": ("到数据质量页核对 ›", "Check on the Data quality page ›"),
    "pp_trend": ("党员参与月度走势", "Party participation by month"),
    "sh_heatmap": ("各单位多元主体参与情况", "Stakeholder groups reached, by unit"),
    "sh_never": ("本期从未参与的主体类别", "Stakeholder groups never reached"),
    "sh_category": ("主体类别", "Stakeholder group"),
    "sh_reached_meetings": ("有该类主体参加的会议", "Meetings with this group"),
    "sh_share": ("占会议比例", "Share of meetings"),
    "sh_never_count": ("未参与类别数", "Groups never reached"),
    "sh_never_mark": ("从未参与", "never reached"),
    "sh_cell_count": ("{k} / {n} 次会议", "{k} of {n} meetings"),
    "sh_no_meetings": ("本期无会议", "no meetings in the period"),
    "sh_zero_note": (
        "×：本期没有一次会议有该类主体参加；灰色：本期无会议",
        "×: no meeting of the period had this group; grey: no meetings",
    ),
    "sh_click_row": ("点击一行可进入该单位", "Click a row to open that unit"),
    "sh_never_intro": (
        "{scope}本期 {n} 次会议中，以下 {k} 类主体（共 10 类）一次也未参加：",
        "In the {n} meetings of {scope} in the period, {k} of the 10 groups never took part:",
    ),
    "sh_all_reached": (
        "{scope}本期 {n} 次会议覆盖了全部 10 类主体",
        "The {n} meetings of {scope} in the period reached all 10 groups",
    ),
    "pp_trend_info": (
        "每个自然月单独计算的党员参与率、党员参会占比、党组织主持率（定义见各指标卡片的 ⓘ）。"
        "党员参与率按月计算时只数当月参会的党员，低于全期数值是正常的。",
        "Party participation, Party share and Party-led rate, each month computed as a period "
        "of its own (definitions behind each card's ⓘ). A month counts only that month's "
        "attendees, so monthly participation is lower than the whole period's.",
    ),
    "sh_heatmap_info": (
        "每格：该单位统计期内的会议中，至少有一名该类主体参会的会议所占比例；×表示一次也没有。",
        "Each cell: the share of the unit's meetings in the period with at least one "
        "attendee of that group; × means none.",
    ),
    "sh_never_info": (
        "范围内（含乡镇、县本级主办）统计期内的会议一次也没有参加的主体类别，以及参与最少的类别。",
        "The groups that no meeting in scope (the township's or county's own included) "
        "reached in the period, and the ones reached least.",
    ),
    "rs_mix_info": (
        "各单位到期决议（与决议落实率同一范围）中：按期落实、逾期落实；截至统计截止日尚未落实的，"
        "已过完成时限的为已逾期（与逾期未落实数同一规则），当日到期的按其最新台账状态分为"
        "推进中、未启动。",
        "Each unit's resolutions due (the implementation rate's set): implemented on time, "
        "implemented late; of those not implemented on as_of, the ones past their due date "
        "are overdue (the rule of overdue resolutions), the ones due that very day in "
        "progress or not started by their latest report.",
    ),
    "rs_days_info": (
        "与“落实用时中位数”相同的决议（截至统计截止日已落实、完成日期在统计期内），"
        "按（完成日期 − 会议日期）天数分组；虚线为中位数。",
        "The resolutions of the median days to implement (implemented on as_of, completed in "
        "the period) by (completed date − meeting date) in days; the dashed line is the "
        "median.",
    ),
    "sh_least_intro": ("参与最少的类别（占会议比例）：", "Least reached (share of meetings):"),
    "sh_least_item": ("{name} {share}（{k} 次会议）", "{name} {share} (meetings: {k})"),
    # overview page
    "ov_map": ("各乡镇（街道）{figure}", "{figure} by township"),
    "ov_ranking": ("{figure}排名", "{figure}: ranking"),
    "ov_trend_rates": ("月度走势", "Monthly trend"),
    "ov_trend_meetings": ("每月协商会议数", "Meetings per month"),
    "ov_trend_rates_info": (
        "逐月的决议落实率、党员参与率、多元主体覆盖率与常态化率，每月按该月计算（各指标的定义见其卡片的 ⓘ）；"
        "悬停可见每个点的分子、分母与样本量",
        "Implementation rate, Party participation rate, stakeholder coverage and regularity, "
        "each computed for its month (each figure's ⓘ on its card defines it); hover a point "
        "for its numerator, denominator and sample",
    ),
    "under_construction": ("此页面正在建设中。", "This page is being built."),
    # assessment
    "as_table": ("考核评估表", "Assessment table"),
    "as_subject": (
        "{scope} 各{units} · {start} 至 {end} · 截至 {as_of}",
        "{units} of {scope} · {start} to {end} · as of {as_of}",
    ),
    # the units an assessment ranks (as_units_<level>), as the subject line names them
    "as_units_county": ("县（市、区）", "Counties"),
    "as_units_township": ("乡镇（街道）", "Townships"),
    "as_units_village": ("村（社区）", "Villages"),
    "as_weights": ("权重：", "Weights: "),
    "as_formula": (
        "得分 = 100 × Σ 权重×指标值 ÷ Σ 权重；空值按 0 计，超过 1 按 1 计；并列名次相同",
        "score = 100 × Σ weight × value ÷ Σ weights; blank counts as 0, above 1 as 1; ties share a rank",
    ),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel", "Download Excel"),
    # data quality
    "dq_rejected_rows": ("拒收行数", "Rejected rows"),
    "dq_held_rows": ("待匹配行数", "Held rows"),
    "dq_not_submitted": ("未报送（单位·类）", "Not submitted (unit × kind)"),
    "dq_party_participation_over_100": ("党员参与率超过100%", "Party participation > 100%"),
    "dq_status_regressions": ("落实状态倒退", "Status went backwards"),
    "dq_due_dates_moved_later": ("完成时限推迟", "Due dates moved later"),
    "dq_status_title": ("报送情况（{month}）", "Submissions ({month})"),
    "dq_hint": ("修改方法", "How to fix"),
    "ov_brief": ("工作简报（{month}）：", "Monthly brief ({month}): "),
    "dq_name_rejects": ("拒收行", "rejected-rows"),
    "dq_sheet_rejects": ("拒收记录", "Rejected rows"),
    "dq_name_held": ("待匹配行", "held-rows"),
    "dq_name_events": ("决议异动", "resolution-events"),
    "dq_over_title": ("党员参与率超过100%", "Party participation above 100%"),
    "dq_attending": ("参会党员", "Members attending"),
    "dq_registered": ("在册党员", "Members registered"),
    "dq_rate": ("党员参与率", "Participation rate"),
    "dq_none_over_100": ("没有单位的党员参与率超过100%", "No unit is above 100%"),
    "dq_held_title": ("待匹配与拒收（按乡镇）", "Held and rejected rows by township"),
    "dq_held": ("待匹配", "Held"),
    "dq_rejected": ("拒收", "Rejected"),
    "dq_rejected_last": ("最近一次拒收", "Rejected in last run"),
    "dq_nothing_held": ("没有待匹配或拒收的行", "No held or rejected rows"),
    "dq_unknown_township": ("（乡镇不明）", "(township unknown)"),
    "dq_rejects_title": ("拒收的行及原因", "Rejected rows and reasons"),
    "dq_no_rejects": ("没有拒收的行", "No rejected rows"),
    "dq_kind": ("台账", "File kind"),
    "dq_kind_areas": ("区划名册", "Roster"),
    "dq_kind_meetings": ("会议台账", "Meetings"),
    "dq_kind_attendance": ("参会签到", "Attendance"),
    "dq_kind_resolutions": ("决议落实", "Resolutions"),
    "dq_file": ("文件", "File"),
    "dq_row": ("行号", "Row"),
    "dq_column": ("列名（按原文件）", "Column (as in the file)"),
    "dq_value": ("值", "Value"),
    "dq_reason": ("原因", "Reason"),
    "dq_runs_title": ("载入记录", "Load runs"),
    "dq_runs_not_yours": (
        "载入记录涉及全县各乡镇的文件，仅对全县范围的用户显示",
        "The load runs cover every township's files: shown to county-wide users only",
    ),
    "dq_list_not_yours": (
        "明细供乡镇工作人员和管理员核改报送文件使用，您的角色只看上方的汇总数字",
        "The rows are for township staff and admins fixing their files: "
        "your role sees the counts above",
    ),
    "dq_finished": ("完成时间", "Finished"),
    "dq_loaded_on": ("载入日", "Loaded on"),
    "dq_status": ("状态", "Status"),
    "dq_status_committed": ("已提交", "committed"),
    "dq_status_failed": ("失败", "failed"),
    "dq_status_rolled_back": ("已回滚", "rolled back"),
    "dq_files": ("文件数", "Files"),
    "dq_read": ("读取", "Read"),
    "dq_inserted": ("新增", "Inserted"),
    "dq_updated": ("更新", "Updated"),
    "dq_operator": ("操作人", "Operator"),
    # data quality lists
    "dq_events_title": (
        "状态倒退与完成时限推迟的决议",
        "Resolutions whose status went backwards or due date moved later",
    ),
    "dq_event_kind": ("问题", "Problem"),
    "dq_event_status_backwards": ("状态倒退", "Status went backwards"),
    "dq_event_due_later": ("完成时限推迟", "Due date moved later"),
    "dq_previous_report": ("上次更新日期", "Previous report"),
    "dq_this_report": ("本次更新日期", "This report"),
    "dq_old_value": ("原值", "Old value"),
    "dq_new_value": ("新值", "New value"),
    "dq_no_events": (
        "本期没有状态倒退或完成时限推迟的决议",
        "No status went backwards and no due date moved later in this period",
    ),
    # data quality: held rows and rejects
    "dq_held_rows_title": ("待匹配的行（会议尚未报送）", "Rows waiting for their meeting"),
    "dq_no_held_rows": ("没有待匹配的行", "No row is waiting for its meeting"),
    "dq_sheet": ("工作表", "Sheet"),
    "dq_held_since": ("首次暂存日", "Held since"),
    "grid_cut": (
        "显示前 {shown} 行，共 {total} 行；下载 CSV 查看全部",
        "Showing the first {shown} of {total} rows; download the CSV to see them all",
    ),
    "dq_include_superseded": (
        "含已被重新提交取代的记录",
        "Include rows superseded by a resubmitted file or row",
    ),
    "dq_reject_state": ("记录状态", "State"),
    "dq_reject_current": ("待修正", "To fix"),
    "dq_reject_superseded": ("已被重新提交取代", "Superseded"),
    # resolutions
    "rs_overdue_title": ("逾期未落实的决议", "Overdue resolutions"),
    "rs_overdue_file": ("逾期未落实决议-截至{as_of}", "overdue-resolutions-as-of-{as_of}"),
    "rs_overdue_info": (
        "截至日已过完成时限、尚未落实的决议，按逾期天数从多到少：≤30天、31–90天、>90天",
        "Resolutions past their due date and not implemented on the as-of day, most days "
        "late first: ≤30, 31–90, >90 days",
    ),
    "rs_bucket": ("逾期时长", "Late by"),
    "rs_bucket_30": ("≤30天", "≤30 days"),
    "rs_bucket_90": ("31–90天", "31–90 days"),
    "rs_bucket_more": (">90天", ">90 days"),
    "rs_days_late": ("逾期天数", "Days late"),
    "rs_resolution": ("决议编号", "Resolution"),
    "rs_content": ("决议内容", "Content"),
    "rs_unit": ("责任单位", "Responsible unit"),
    "rs_due": ("完成时限", "Due"),
    "rs_meeting": ("会议编号", "Meeting"),
    "rs_none_overdue": ("没有逾期未落实的决议", "No overdue resolutions"),
    "rs_overdue_not_yours": (
        "逾期决议清单含决议内容，仅向考核人员、乡镇工作人员和管理员显示",
        "The overdue list holds resolution contents: shown to evaluators, township staff "
        "and admins only",
    ),
    # resolutions page
    "rs_mix_title": ("各单位到期决议落实情况", "Resolutions due, by unit and status"),
    "rs_on_time": ("按期落实", "Implemented on time"),
    "rs_late": ("逾期落实", "Implemented late"),
    "rs_in_progress": ("推进中", "In progress"),
    "rs_not_started": ("未启动", "Not started"),
    "rs_overdue_part": ("已逾期", "Overdue"),
    "rs_mix_due": ("到期数", "Due"),
    "rs_none_due_why": (
        "{scope}各单位在 {start} 至 {end} 期间没有到期决议",
        "No resolution of {scope} fell due from {start} to {end}",
    ),
    "rs_mix_undrawn": ("无到期决议，未绘出：{names}", "Nothing due, not drawn: {names}"),
    "rs_days_title": ("落实用时分布", "Days to implement"),
    "rs_days_range": ("{low}–{high}天", "{low}–{high} days"),
    "rs_days_over": (">{low}天", ">{low} days"),
    "rs_days_bucket": ("落实用时", "Days to implement"),
    "rs_days_count": ("决议数", "Resolutions"),
    "rs_days_share": ("占比", "Share"),
    "rs_days_median": ("中位数 {value} 天", "Median {value} days"),
    "rs_days_note": (
        "用时 = 完成日期 − 会议日期；共 {n} 项本期完成的已落实决议（与落实用时中位数同口径）",
        "Days = completed date − meeting date; resolutions implemented in the period: {n} "
        "(as for the median)",
    ),
    "rs_none_done_why": (
        "{scope}在 {start} 至 {end} 期间没有完成落实的决议",
        "{scope} completed no resolutions from {start} to {end}",
    ),
    "rs_scores": ("评分数", "Scores"),
    "rs_scored_n": ("{n} 项评分", "{n} scored"),
    "rs_none_scored_why": (
        "{scope}在 {start} 至 {end} 期间完成的决议均无满意度评分",
        "No resolution {scope} completed from {start} to {end} has a satisfaction score",
    ),
    # sign-in (dashboard.auth, dashboard.signin_page) and the audit page
    "signin_title": ("登录", "Sign in"),
    "signin_username": ("用户名", "User name"),
    "signin_password": ("密码", "Password"),
    "signin_submit": ("登录", "Sign in"),
    "signin_hint": (
        "账户由管理员创建（xieshang user add）；忘记密码请联系管理员。",
        "Accounts are made by an admin (xieshang user add); ask them if you forgot yours.",
    ),
    "signin_failed": (
        "用户名或密码错误，或该账户已停用。",
        "Wrong user name or password, or the account is disabled.",
    ),
    "signin_missing": ("请填写用户名和密码。", "Enter your user name and password."),
    "signin_expired": (
        "登录表单已过期，请重新输入。",
        "The sign-in form expired; please enter your details again.",
    ),
    "signin_throttled": (
        "登录失败次数过多，请一分钟后再试。",
        "Too many failed sign-ins; please try again in a minute.",
    ),
    "forbidden_title": ("无权访问", "Not permitted"),
    "forbidden_why": ("此页面仅限管理员访问。", "Only admins may open this page."),
    "forbidden_back": ("返回总览", "Go to the overview"),
    "auth_off_banner": (
        "未启用登录：能访问本端口的任何人都可查看全部数据（xieshang demo / serve --no-auth）。",
        "Sign-in is off: anyone who can reach this port sees all the data "
        "(xieshang demo / serve --no-auth).",
    ),
    "sign_out": ("退出", "Sign out"),
    "role_leader": ("领导", "Leader"),
    "role_evaluator": ("考核人员", "Evaluator"),
    "role_staff": ("乡镇工作人员", "Township staff"),
    "role_admin": ("管理员", "Admin"),
    "page_audit": ("审计日志", "Audit log"),
    "au_user": ("用户", "User"),
    "au_action": ("操作", "Action"),
    "au_since": ("起始日期", "Since"),
    "au_all_actions": ("全部操作", "All actions"),
    "au_at": ("时间", "Time"),
    "au_address": ("来源地址", "Address"),
    "au_file": ("文件", "File"),
    "au_scope": ("范围", "Scope"),
    "au_period": ("统计期", "Period"),
    "au_detail": ("详情", "Detail"),
    "au_none": ("没有符合条件的记录", "No entries match"),
    "au_local_user": ("（未启用登录）", "(sign-in off)"),
    # the detail of an entry: its keys, and the values the program writes (not a user's)
    "au_key_via": ("途径", "via"),
    "au_key_filename": ("文件名", "filename"),
    "au_key_query": ("查询", "query"),
    "au_key_by": ("操作方", "by"),
    "au_key_role": ("角色", "role"),
    "au_key_reason": ("原因", "reason"),
    "au_key_format": ("格式", "format"),
    "au_key_level": ("层级", "level"),
    "au_key_run_id": ("批次", "run_id"),
    "au_key_status": ("状态", "status"),
    "au_key_files": ("文件", "files"),
    "au_key_read": ("读取", "read"),
    "au_key_inserted": ("新增", "inserted"),
    "au_key_updated": ("更新", "updated"),
    "au_key_unchanged": ("未变", "unchanged"),
    "au_key_held": ("暂存", "held"),
    "au_key_rejected": ("拒收", "rejected"),
    "au_key_rows": ("行数", "rows"),
    "au_value_address": ("下载地址", "address"),
    "au_value_page": ("页面按钮", "page"),
    "au_value_chart": ("图表数据", "chart"),
    "au_value_unknown user": ("无此用户", "unknown user"),
    "au_value_wrong password": ("密码错误", "wrong password"),
    "au_value_disabled": ("已停用", "disabled"),
    "au_value_committed": ("已提交", "committed"),
    "au_value_failed": ("失败", "failed"),
    "au_value_leader": ("领导", "leader"),
    "au_value_evaluator": ("考核人员", "evaluator"),
    "au_value_staff": ("乡镇工作人员", "staff"),
    "au_value_admin": ("管理员", "admin"),
    "au_value_county": ("县（市、区）", "county"),
    "au_value_township": ("乡镇（街道）", "township"),
    "au_value_village": ("村（社区）", "village"),
    "action_sign_in": ("登录", "Signed in"),
    "action_sign_in_failed": ("登录失败", "Sign-in failed"),
    "action_sign_out": ("退出登录", "Signed out"),
    "action_user_add": ("新增用户", "User added"),
    "action_user_disable": ("停用用户", "User disabled"),
    "action_user_enable": ("启用用户", "User enabled"),
    "action_user_passwd": ("重设密码", "Password set"),
    "action_download": ("下载", "Download"),
    "action_export": ("导出", "Export"),
    "action_submission": ("数据报送", "Submission"),
    # 数据报送 /submit
    "page_submit": ("数据报送", "Submit files"),
    "sb_forbidden": (
        "数据报送仅限乡镇工作人员和管理员",
        "Only township staff and admins submit files",
    ),
    "sb_forbidden_why": (
        "您的角色可查看各页数据，但不报送文件",
        "Your role reads the pages; it does not send files",
    ),
    "sb_templates": ("空白模板", "Blank templates"),
    "sb_templates_why": (
        "按模板填写可少被拒收：表头、下拉选项和填表说明都按数据规范生成",
        "Filling in a template avoids most rejects: its headers, drop-down lists and guide "
        "follow the data contract",
    ),
    "sb_upload": ("上传文件", "Upload files"),
    "sb_drop": (
        "将文件拖到此处，或点击选择文件 (xlsx/CSV)",
        "Drop files here, or click to choose them (xlsx/CSV)",
    ),
    "sb_limit": ("每次报送的文件合计不超过 {mb} MB", "At most {mb} MB of files per submission"),
    "sb_running": ("正在导入 {n} 个文件…", "Importing {n} file(s)…"),
    "sb_too_large": (
        "所选文件合计超过 {mb} MB，未报送：请分批报送",
        "The files chosen are over {mb} MB together and were not sent: send them in several"
        " submissions",
    ),
    "sb_answer_title": ("导入结果", "Result"),
    "sb_waiting": (
        "上传文件后，这里显示导入结果和拒收的行",
        "After an upload, the result and the rejected rows show here",
    ),
    "sb_failed": (
        "导入失败，未写入任何数据：{error}",
        "The load failed and wrote nothing: {error}",
    ),
    "sb_nothing_read": ("没有读到数据行", "No data rows were read"),
    "sb_inserted": ("新增 {n} 行（{kinds}）", "Rows added: {n} ({kinds})"),
    "sb_updated": ("更新 {n} 行（{kinds}）", "Rows updated: {n} ({kinds})"),
    "sb_unchanged": ("未变 {n} 行，与已入库的内容相同（{kinds}）", "Rows unchanged: {n} ({kinds})"),
    "sb_held": (
        "暂存 {n} 行，等待会议 {meetings} 报送后自动关联（{kinds}）",
        "Rows held: {n}, until meeting(s) {meetings} arrive ({kinds})",
    ),
    "sb_rejected": ("拒收 {n} 行，见下表（{kinds}）", "Rows rejected: {n}, listed below ({kinds})"),
    "sb_released_joined": (
        "此前暂存的 {n} 行已与会议关联（{kinds}）",
        "Rows held earlier that joined their meeting: {n} ({kinds})",
    ),
    "sb_released_rejected": (
        "此前暂存的 {n} 行在会议报送后被拒收（{kinds}）",
        "Rows held earlier, rejected when their meeting arrived: {n} ({kinds})",
    ),
    "sb_loaded_files": ("已导入：{files}", "Loaded: {files}"),
    "sb_unchanged_files": (
        "与此前报送的文件相同，未重新导入：{files}",
        "Same as a file sent before, not read again: {files}",
    ),
    "sb_skipped_file": ("未导入 {file}：{reason}", "Not loaded, {file}: {reason}"),
    "sb_unreadable_file": ("无法读取 {file}：{reason}", "Cannot read {file}: {reason}"),
    "sb_sheet_skipped": (
        "跳过工作表 {file} · {sheet}：{reason}",
        "Sheet skipped, {file} · {sheet}: {reason}",
    ),
    "sb_unknown_columns": (
        "{file} 中未识别的列（已忽略）：{columns}",
        "Columns not recognised in {file} (ignored): {columns}",
    ),
    "sb_rejects_title": ("拒收的行", "Rejected rows"),
    # under a list of rejects on /submit longer than a page: its pages turn through them all
    "sb_pages": (
        "共 {total} 行，每页 {size} 行，翻页查看全部",
        "{total} rows, {size} a page: turn the pages to see them all",
    ),
    "status_held_cell": ("{label} {when} · 暂存 {n}", "{label} {when} · {n} held"),
    "sb_sent_before": ("（此前报送）", " (sent before)"),
    "sb_earlier_rejects_title": (
        "此前报送时拒收、仍未改正的行（文件与上次相同）",
        "Rows rejected when the same file was sent before, still not fixed",
    ),
    "sb_col_file": ("文件", "File"),
    "sb_col_sheet": ("工作表", "Sheet"),
    "sb_col_row_number": ("行号", "Row"),
    "sb_col_header": ("列名", "Column"),
    "sb_col_value": ("值", "Value"),
    "sb_col_reason": ("原因", "Reason"),
    "sb_col_hint": ("修改方法", "How to fix"),
    "sb_download_marked": (
        "下载标注后的拒收行 (xlsx)",
        "Download the marked-up rejected rows (xlsx)",
    ),
    "sb_status_title": ("报送情况", "Submission status"),
    "sb_month": ("月份", "Month"),
    # the shell on a narrow screen, the date inputs (issue 12)
    "nav_menu": ("页面", "Pages"),
    "f_start_date": ("开始日期", "Start date"),
    "f_end_date": ("结束日期", "End date"),
    # KPI cards: a figure without a value, a period outside the data (said once, under the row)
    "kpi_no_data": ("无数据", "No data"),
    "kpi_before_data": (
        "本期 {start} 至 {end} 早于数据起始 {first}，无数据",
        "No data: the period {start} to {end} is before the data begin ({first})",
    ),
    "kpi_after_data": (
        "本期 {start} 至 {end} 晚于数据更新日 {last}，尚无数据",
        "No data yet: the period {start} to {end} is after the last load ({last})",
    ),
    # 落后单位: the bottom of the page's ranking, under the KPI cards
    "lagging_label": ("落后单位（{figure}）：", "Lagging ({figure}): "),
    "lagging_rank": ("第 {rank} 名，共 {total} 个参与排名", "ranked {rank} of {total}"),
    "lagging_no_value": ("无数据：{names}", "No data: {names}"),
    "lagging_more": ("{names} 等 {n} 个", "{names} and {more} more"),
    # assessment: the unrounded score, a period with nothing to rank
    "as_exact_score": ("未取整得分 {score}", "Unrounded score {score}"),
    "as_before_data": (
        "数据始于 {first}，本期（{start} 至 {end}）无数据，不作排名",
        "The data begin in {first}: nothing from {start} to {end}, so no ranking",
    ),
    "as_after_data": (
        "数据截至 {last}，本期（{start} 至 {end}）尚无数据，不作排名",
        "The data end on {last}: nothing from {start} to {end} yet, so no ranking",
    ),
    "as_nothing_to_rank": (
        "{scope}各{level}在 {start} 至 {end} 期间均无协商会议、到期或逾期决议、满意度评分，不作排名",
        "No {level} of {scope} held a meeting or had a resolution due, overdue or scored "
        "from {start} to {end}, so no ranking",
    ),
    # 大屏 /screen
    "sc_title": ("协商治理看板 · 大屏", "Consultative Governance · Wall"),
    "sc_assessment": ("考核得分排名", "Assessment scores"),
    "sc_rank_name": ("{rank}. {name}", "{rank}. {name}"),
    "sc_against": ("变化较上期 {start} 至 {end}", "changes against {start} to {end}"),
    "notice_bad_rotate": (
        "rotate=“{value}” 应为 2 至 3600 之间的秒数",
        "rotate=“{value}” must be a number of seconds from 2 to 3600",
    ),
    # monthly trends (charts.trends): sample sizes, thin and partial months
    "trend_n": ("n = {n} {unit}", "n = {n} {unit}"),
    "trend_share": ("（{k} / {n}）", " ({k} / {n})"),
    "unit_resolutions_due": ("项到期决议", "resolutions due"),
    "unit_meetings": ("次会议", "meetings"),
    "unit_village_months": ("个村·月", "village-months"),
    "unit_attendances": ("人次", "attendances"),
    "unit_resolutions": ("项决议", "resolutions"),
    "trend_few": ("空心点：样本少于 {n}，仅供参考", "Hollow: fewer than {n} cases, indicative"),
    "trend_few_hover": ("样本少于 {n}，仅供参考", "fewer than {n} cases, indicative"),
    "trend_part_hover": (
        "仅含 {start} 至 {end}（不满整月）",
        "{start} to {end} only (not a whole month)",
    ),
    "trend_part_line": ("虚线：{months}不满整月", "Dashed: {months}, not a whole month"),
    "trend_part_point": ("{months}不满整月", "{months}: not a whole month"),
    "trend_part_bar": ("斜纹：{months}不满整月", "Hatched: {months}, not a whole month"),
    # the title line of a printout and of a chart's PNG (chart_cards, assets/print.js)
    "print_line": (
        "{scope} · {start} 至 {end} · 数据截至 {as_of}",
        "{scope} · {start} to {end} · data as of {as_of}",
    ),
    "print_filter": ("{name}：{value}", "{name}: {value}"),
    "png_range": ("{start}至{end}", "{start} to {end}"),
}

# The count behind a figure, shown under its value ("226 / 278 项到期决议"). Placeholders
# are the keys of metrics' "counts" plus `as_of`.
COUNT_TEXT: dict[str, tuple[str, str]] = {
    "meetings": ("截至 {as_of}", "as of {as_of}"),
    "regularity": (
        "{village_months_with_meeting} / {village_months} 个村·月",
        "{village_months_with_meeting} / {village_months} village-months",
    ),
    "party_led_rate": (
        "{meetings_led_by_party} / {meetings} 次会议",
        "{meetings_led_by_party} / {meetings} meetings",
    ),
    "party_participation_rate": (
        "{party_members_attending} / {party_members_registered} 名党员",
        "{party_members_attending} / {party_members_registered} members",
    ),
    "party_share": (
        "{party_attendance_rows} / {attendance_rows} 人次",
        "{party_attendance_rows} / {attendance_rows} attendances",
    ),
    "stakeholder_coverage": (
        "{meetings_covered} / {meetings} 次会议",
        "{meetings_covered} / {meetings} meetings",
    ),
    "stakeholder_breadth": (
        "{stakeholder_categories} / 10 类主体",
        "{stakeholder_categories} / 10 groups",
    ),
    "resolutions_due": ("截至 {as_of}", "as of {as_of}"),
    "implementation_rate": (
        "{implemented} / {resolutions_due} 项到期决议",
        "{implemented} / {resolutions_due} resolutions due",
    ),
    "on_time_rate": (
        "{implemented_on_time} / {resolutions_due} 项到期决议",
        "{implemented_on_time} / {resolutions_due} resolutions due",
    ),
    "overdue_open": ("截至 {as_of}", "as of {as_of}"),
    "median_days_to_implement": (
        "{implemented_in_period} 项已落实决议",
        "{implemented_in_period} resolutions implemented",
    ),
    "satisfaction": ("{satisfaction_scores} 项有评分", "{satisfaction_scores} scored"),
    "escalation_rate": (
        "{escalated} / {resolutions_of_period_meetings} 项决议",
        "{escalated} / {resolutions_of_period_meetings} resolutions",
    ),
}


def page_title(key: str, lang: str = "zh") -> str:
    """A page's browser-tab title: the app's, then the page's name (`key`)."""
    return f"{t('app_title', lang)} · {t(key, lang)}"


def t(key: str, lang: str = "zh", **values) -> str:
    """The text for `key` in `lang` ("zh" or "en"), with `values` filled in."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**values) if values else text


def vocab(vocab_name: str, code: str, lang: str = "zh") -> str:
    """A vocabulary code's label (xieshang.contract.columns)."""
    return label(vocab_name, code, lang)


def figure_name(key: str, lang: str = "zh") -> str:
    from xieshang.metrics import FIGURE_INFO

    info = FIGURE_INFO.get(key)
    if info is None:
        return key
    return info["en"] if lang == "en" else info["zh"]


def figure_definition(key: str, lang: str = "zh") -> str:
    from xieshang.metrics import FIGURE_INFO

    info = FIGURE_INFO.get(key)
    if info is None:
        return ""
    return info["definition_en"] if lang == "en" else info["definition_zh"]


def count_text(key: str, counts: dict, lang: str = "zh", as_of: str = "") -> str:
    """The count line of a KPI card, with thousands separators; "" when unknown."""
    pair = COUNT_TEXT.get(key)
    if pair is None:
        return ""
    values = {k: f"{v:,}" if isinstance(v, int) else v for k, v in counts.items()}
    values["as_of"] = as_of
    try:
        return (pair[1] if lang == "en" else pair[0]).format(**values)
    except KeyError:
        return ""
