//! UI labels of the application, case and workbench pages, Chinese and English.

use tongban_domain::cases::{CaseState, Warning};
use tongban_domain::forms::PrefillSource;

mod tables;
pub use tables::{EN, ZH};

pub struct CaseLabels {
    pub licence_pending_title: &'static str,
    pub licence_pending: &'static str,
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
    pub materials_title: &'static str,
    pub materials_intro: &'static str,
    pub choose_file: &'static str,
    pub file_hint: &'static str,
    pub upload: &'static str,
    pub remove_file: &'static str,
    pub no_file: &'static str,
    pub from_licence: &'static str,
    pub licence_stands_in: &'static str,
    /// The labels of materials fetched by data sharing (免提交).
    pub shared: &'static crate::data_labels::SharedLabels,
    pub exempt: &'static str,
    pub continue_to_check: &'static str,
    pub uploaded: &'static str,
    pub removed: &'static str,
    pub files_heading: &'static str,
    pub claim: &'static str,
    pub release: &'static str,
    pub claimed_by_me: &'static str,
    pub claimed_by_other: &'static str,
    pub unclaimed: &'static str,
    pub mine_only: &'static str,
    pub find_label: &'static str,
    pub find_field: &'static str,
    pub find_button: &'static str,
    pub find_results: &'static str,
    pub todo_title: &'static str,
    pub done_title: &'static str,
    pub done_none: &'static str,
    pub holder: &'static str,
    pub messages_heading: &'static str,
    pub unread: &'static str,

    pub licence_used: &'static str,
    pub choose_licence: &'static str,
    pub use_licence: &'static str,
    pub use_consent: &'static str,
    pub no_licence_held: &'static str,
    pub or_upload: &'static str,
    pub withdraw_use: &'static str,
    pub used_notice: &'static str,
    pub withdrawn_notice: &'static str,
    pub copy_link: &'static str,
    pub materials_saved: &'static str,

    pub form_admin_title: &'static str,
    pub form_json_label: &'static str,
    pub form_json_help: &'static str,
    pub form_from_draft: &'static str,
    pub form_from_published: &'static str,
    pub preview_heading: &'static str,
    pub preview_button: &'static str,
    pub save_draft_button: &'static str,
    pub publish_button: &'static str,
    pub form_saved: &'static str,
    pub form_published: &'static str,

    pub supervision_title: &'static str,
    pub supervision_intro: &'static str,
    pub walk_in_title: &'static str,
    pub walk_in_intro: &'static str,
    pub walk_in_person: &'static str,
    pub walk_in_card: &'static str,
    pub walk_in_offering: &'static str,
    pub walk_in_button: &'static str,
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
    pub slot_material: &'static str,
    pub slot_attached: &'static str,
    pub slot_other: &'static str,
    pub slot_none: &'static str,
    pub supplement_button: &'static str,
    pub withdraw: &'static str,
    pub withdraw_hint: &'static str,
    pub confirm_title: &'static str,
    pub licence_issued: &'static str,
    pub licence_issued_hint: &'static str,
    pub open_case: &'static str,
    pub confirm_staff: &'static str,
    pub confirm_withdraw: &'static str,
    pub confirm_back: &'static str,
    pub confirm_keep: &'static str,
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

    /// What happens next, in the page's language: the app's words (`CaseView.next`) in Chinese.
    pub fn next_step(&self, s: CaseState, zh: &str) -> String {
        if self.zh() {
            return zh.to_owned();
        }
        match s {
            CaseState::Submitted => "The window checks it next: it accepts it, refuses it, or lists at once everything to supplement.",
            CaseState::SupplementRequested => "Supply everything the notice lists at once, then submit the supplement; the clock stands still meanwhile.",
            CaseState::UnderReview => "Accepted; under review.",
            CaseState::InProcedure => "In a special procedure (hearing, inspection, testing, expert review); its time does not count.",
            CaseState::Refused => "Not accepted: the reasons and legal basis are in the case's record.",
            CaseState::Approved => "Approved; the result is being prepared.",
            CaseState::Denied => "Denied: the reasons and legal basis are in the record; you may apply for administrative reconsideration or sue.",
            CaseState::Concluded => "Concluded; awaiting delivery.",
            CaseState::Delivered => "The result has been delivered.",
            CaseState::Withdrawn => "You withdrew the application.",
        }
        .to_owned()
    }

    /// A number of working days: 1 个工作日, 1 working day, 3 working days.
    pub fn days(&self, n: impl std::fmt::Display) -> String {
        let n = n.to_string();
        match (self.zh(), n == "1" || n == "-1") {
            (true, _) => format!("{n} {}", self.workdays),
            (false, true) => format!("{n} working day"),
            (false, false) => format!("{n} {}", self.workdays),
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
            PrefillSource::Shared => "Fetched by data sharing",
        }
    }

    /// Where an application's field was filled in from, as shown beside it — for shared data,
    /// the agency, resource and item too.
    pub fn field_source(&self, v: &tongban_app::cases::ApplicationView, field: &str) -> Option<String> {
        let s = *v.prefilled.get(field)?;
        Some(match v.prefilled_from.get(field) {
            Some(origin) => format!("{}：{origin}", self.source(s)),
            None => self.source(s).to_owned(),
        })
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
    /// An action as a case of item type `item_type` words it: the decision fits the item (a
    /// 行政确认 is 予以确认 or 不予确认, not 准予许可 or 不予许可).
    pub fn decision(&self, name: &str, item_type: &str) -> &'static str {
        let (zh, en) = match (name, item_type) {
            ("approve", "01") => ("准予许可", "Grant"),
            ("deny", "01") => ("不予许可", "Refuse to grant"),
            ("approve", "07") => ("予以确认", "Confirm"),
            ("deny", "07") => ("不予确认", "Refuse to confirm"),
            ("approve", "05") => ("准予给付", "Grant the benefit"),
            ("deny", "05") => ("不予给付", "Refuse the benefit"),
            ("approve", "08") => ("予以奖励", "Grant the award"),
            ("deny", "08") => ("不予奖励", "Refuse the award"),
            ("approve", _) => ("准予办理", "Approve"),
            ("deny", _) => ("不予办理", "Deny"),
            _ => return self.action(name),
        };
        if self.zh() { zh } else { en }
    }

    /// Whether an action ends a case against the applicant, or ends the application: it asks
    /// first, and looks unlike the others.
    pub fn destructive(&self, name: &str) -> bool {
        matches!(name, "refuse" | "deny" | "withdraw")
    }

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
            "hall_visit" => ("到厅办理", "Served at the hall"),
            "rating" => ("评价（好差评）", "Rated"),
            "rating_change" => ("修改评价", "Rating changed"),
            "rectification_callback" => ("差评回访", "Called back about the bad review"),
            "rectification_answer" => ("差评整改答复", "The rectification answered"),
            "rectification_verdict" => ("评价整改结果", "The rectification judged"),
            "rectification_escalate" => ("差评整改超期督办", "Overdue rectification escalated"),
            "rater_contact_shown" => ("为回访查看评价人电话", "The rater's phone shown for the callback"),
            "rating_appeal" => ("部门对差评提出申诉", "The agency appealed the bad review"),
            "rating_appeal_upheld" => ("申诉成立，评价不计入", "Appeal upheld: the rating is not counted"),
            "rating_appeal_rejected" => ("申诉未获支持", "Appeal rejected"),
            _ => ("", ""),
        };
        if self.zh() { zh } else { en }
    }
}
