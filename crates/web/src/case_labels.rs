//! UI labels of the application, case and workbench pages, Chinese and English.

use tongban_domain::cases::{CaseState, Warning};
use tongban_domain::forms::PrefillSource;

pub struct CaseLabels {
    pub apply_online: &'static str,
    pub my_cases_title: &'static str,
    pub drafts_heading: &'static str,
    pub cases_heading: &'static str,
    pub none: &'static str,
    pub continue_draft: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub only_when: &'static str,
    pub save_continue: &'static str,
    pub back: &'static str,
    pub save_later: &'static str,
    pub saved: &'static str,
    pub check_title: &'static str,
    pub check_intro: &'static str,
    pub change: &'static str,
    pub not_given: &'static str,
    pub submit: &'static str,
    pub submit_hint: &'static str,
    pub fix_first: &'static str,
    pub verify_first: &'static str,
    pub receipt_title: &'static str,
    pub case_number: &'static str,
    pub expected_due: &'static str,
    pub provisional: &'static str,
    pub state: &'static str,
    pub step: &'static str,
    pub next: &'static str,
    pub submitted_at: &'static str,
    pub clock_heading: &'static str,
    pub limit: &'static str,
    pub used: &'static str,
    pub remaining: &'static str,
    pub workdays: &'static str,
    pub due: &'static str,
    pub paused: &'static str,
    pub not_accepted: &'static str,
    pub supplement_heading: &'static str,
    pub supplement_intro: &'static str,
    pub supplement_button: &'static str,
    pub withdraw: &'static str,
    pub withdraw_hint: &'static str,
    pub timeline: &'static str,
    pub comment: &'static str,
    pub workbench_title: &'static str,
    pub no_roles: &'static str,
    pub side_receiving: &'static str,
    pub side_deciding: &'static str,
    pub col_service: &'static str,
    pub col_warning: &'static str,
    pub application_heading: &'static str,
    pub actions_heading: &'static str,
    pub reason: &'static str,
    pub legal_basis: &'static str,
    pub missing: &'static str,
    pub procedure_name: &'static str,
    pub method: &'static str,
    pub online: &'static str,
    pub pick_up: &'static str,
    pub post: &'static str,
    pub tracking_number: &'static str,
    pub done: &'static str,
    pub filter: &'static str,
    pub all: &'static str,
    pub back_to_workbench: &'static str,
    pub back_to_cases: &'static str,
}

pub static ZH: CaseLabels = CaseLabels {
    apply_online: "在线申请",
    my_cases_title: "我的办件",
    drafts_heading: "未提交的申请",
    cases_heading: "已提交的办件",
    none: "暂无",
    continue_draft: "继续填写",
    required: "（必填）",
    optional: "（选填）",
    only_when: "仅在以下情形填写：",
    save_continue: "保存并继续",
    back: "上一页",
    save_later: "保存，稍后再填",
    saved: "已保存。您可以随时回到“我的办件”继续填写。",
    check_title: "核对申请内容",
    check_intro: "请逐项核对；需要修改的，点击“修改”。",
    change: "修改",
    not_given: "未填写",
    submit: "提交申请",
    submit_hint: "提交后将生成办件编号，窗口将进行预审。提交后不能再修改申请内容。",
    fix_first: "以下内容需补充或更正后才能提交",
    verify_first: "前往“我的账户”进行实名核验",
    receipt_title: "申请已提交",
    case_number: "办件编号",
    expected_due: "预计办结日期（按今日受理计算）",
    provisional: "（有关年份的节假日安排尚未公布，暂按周末计算，公布后重新计算）",
    state: "办理状态",
    step: "当前环节",
    next: "下一步",
    submitted_at: "提交时间",
    clock_heading: "办理时限",
    limit: "承诺时限",
    used: "已用",
    remaining: "剩余",
    workdays: "个工作日",
    due: "截止日期",
    paused: "计时暂停：补正或特殊环节期间不计入办理时限。",
    not_accepted: "受理后开始计时（受理当日不计）。",
    supplement_heading: "补正告知（一次性告知）",
    supplement_intro: "请一次补齐以下全部内容，然后提交补正。补正期间不计入办理时限。",
    supplement_button: "已补齐，提交补正",
    withdraw: "撤回申请",
    withdraw_hint: "作出决定前可以撤回；撤回后办件终止，如需办理须重新申请。",
    timeline: "办理过程",
    comment: "说明或意见",
    workbench_title: "办件工作台",
    no_roles: "您目前没有窗口、审批或监察岗位。",
    side_receiving: "收件受理",
    side_deciding: "审查决定",
    col_service: "事项",
    col_warning: "预警",
    application_heading: "申请内容",
    actions_heading: "办理操作",
    reason: "理由",
    legal_basis: "法律依据",
    missing: "需补正的全部内容（每行一项）",
    procedure_name: "特殊环节名称（听证、检验、检测、专家评审等）",
    method: "送达方式",
    online: "网上送达",
    pick_up: "窗口领取",
    post: "邮寄",
    tracking_number: "邮件单号",
    done: "操作已完成。",
    filter: "筛选",
    all: "全部",
    back_to_workbench: "返回工作台",
    back_to_cases: "返回我的办件",
};

pub static EN: CaseLabels = CaseLabels {
    apply_online: "Apply online",
    my_cases_title: "My applications and cases",
    drafts_heading: "Applications not yet submitted",
    cases_heading: "Submitted cases",
    none: "None",
    continue_draft: "Continue",
    required: " (required)",
    optional: " (optional)",
    only_when: "Only when: ",
    save_continue: "Save and continue",
    back: "Back",
    save_later: "Save and come back later",
    saved: "Saved. You can continue from “My applications and cases” at any time.",
    check_title: "Check your answers",
    check_intro: "Check each answer; use “Change” to correct one.",
    change: "Change",
    not_given: "Not given",
    submit: "Submit application",
    submit_hint: "Submitting gives you a case number and starts pre-review at the window. Answers cannot be changed afterwards.",
    fix_first: "Complete or correct these before submitting",
    verify_first: "Verify your real name in “My account”",
    receipt_title: "Application submitted",
    case_number: "Case number",
    expected_due: "Expected due date (if accepted today)",
    provisional: " (the holiday notice for that year is not yet published: weekends only, recomputed when it is)",
    state: "Status",
    step: "Current step",
    next: "What happens next",
    submitted_at: "Submitted",
    clock_heading: "Time limit",
    limit: "Committed limit",
    used: "Used",
    remaining: "Remaining",
    workdays: "working days",
    due: "Due",
    paused: "Clock paused: supplements and special procedures are not counted.",
    not_accepted: "The clock starts when the case is accepted (the day of acceptance is not counted).",
    supplement_heading: "Supplement notice (everything at once)",
    supplement_intro: "Provide everything listed below in one go, then submit the supplement. The time limit does not run meanwhile.",
    supplement_button: "Done: submit the supplement",
    withdraw: "Withdraw the application",
    withdraw_hint: "Possible until the decision; the case then ends and a new application is needed.",
    timeline: "Timeline",
    comment: "Note or comment",
    workbench_title: "Case workbench",
    no_roles: "You hold no window, approver or auditor role.",
    side_receiving: "Receiving",
    side_deciding: "Deciding",
    col_service: "Service",
    col_warning: "Warning",
    application_heading: "Application",
    actions_heading: "Actions",
    reason: "Reason",
    legal_basis: "Legal basis",
    missing: "Everything missing (one per line)",
    procedure_name: "Special procedure (hearing, testing, expert review…)",
    method: "Delivery",
    online: "Online",
    pick_up: "Pick up at the window",
    post: "By post",
    tracking_number: "Tracking number",
    done: "Done.",
    filter: "Filter",
    all: "All",
    back_to_workbench: "Back to the workbench",
    back_to_cases: "Back to my applications and cases",
};

impl CaseLabels {
    fn zh(&self) -> bool {
        std::ptr::eq(self, &ZH)
    }

    pub fn state(&self, s: CaseState) -> &'static str {
        if self.zh() {
            return s.name_zh();
        }
        match s {
            CaseState::Submitted => "Awaiting acceptance",
            CaseState::SupplementRequested => "Supplement requested",
            CaseState::UnderReview => "Under review",
            CaseState::InProcedure => "Special procedure",
            CaseState::Refused => "Not accepted",
            CaseState::Approved => "Approved",
            CaseState::Denied => "Denied",
            CaseState::Concluded => "Concluded",
            CaseState::Delivered => "Delivered",
            CaseState::Withdrawn => "Withdrawn",
        }
    }

    /// Where a form page is: page 2 of 3.
    pub fn page_of(&self, page: usize, pages: usize) -> String {
        if self.zh() { format!("第 {page} 页，共 {pages} 页") } else { format!("Page {page} of {pages}") }
    }

    pub fn warning(&self, w: Warning) -> &'static str {
        match (w, self.zh()) {
            (Warning::Green, true) => "正常",
            (Warning::Yellow, true) => "黄灯：临近期限",
            (Warning::Red, true) => "红灯：已超期",
            (Warning::Green, false) => "On time",
            (Warning::Yellow, false) => "Yellow: due soon",
            (Warning::Red, false) => "Red: overdue",
        }
    }

    pub fn source(&self, p: PrefillSource) -> &'static str {
        if self.zh() {
            return p.name_zh();
        }
        match p {
            PrefillSource::PersonName | PrefillSource::PersonPhone => "From your verified account",
            PrefillSource::OrganizationName | PrefillSource::OrganizationCreditCode => {
                "From the organization you act for"
            }
            PrefillSource::Earlier => "From your earlier application",
        }
    }

    /// A delivery method (`method` of a `deliver` entry) in words.
    pub fn delivery(&self, method: &str) -> Option<&'static str> {
        match method {
            "online" => Some(self.online),
            "pick_up" => Some(self.pick_up),
            "post" => Some(self.post),
            _ => None,
        }
    }

    /// An action's name as a button says it.
    pub fn action(&self, name: &str) -> &'static str {
        let (zh, en) = match name {
            "accept" => ("受理", "Accept"),
            "refuse" => ("不予受理", "Refuse"),
            "request_supplement" => ("一次性告知补正", "Request a supplement"),
            "supplement" => ("补正", "Supplement"),
            "pass" => ("审查通过，转下一环节", "Pass to the next step"),
            "start_procedure" => ("进入特殊环节", "Start a special procedure"),
            "end_procedure" => ("结束特殊环节", "End the special procedure"),
            "approve" => ("准予", "Approve"),
            "deny" => ("不予许可", "Deny"),
            "conclude" => ("办结", "Conclude"),
            "deliver" => ("送达", "Deliver"),
            "withdraw" => ("撤回", "Withdraw"),
            "submit" => ("提交申请", "Submitted"),
            _ => ("", ""),
        };
        if self.zh() { zh } else { en }
    }
}
