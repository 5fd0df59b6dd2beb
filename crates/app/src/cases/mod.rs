//! Applications (申请) and cases (办件): start an application from a guide with the data the
//! platform already knows filled in (一表申请), save and return, submit once (a repeat gives the
//! same case), and every action on the case through the domain's state machine, the statutory
//! clock and the one authorization check — each change written with its audit entry and the
//! applicant's message in one transaction.

use crate::access::{self, Need, Principal};
use crate::case_access::{
    Applicant, NO_APPLICATION, NO_CASE, applicant, deciding, guide_version, is_applicant, open_data, own_application,
    readable_case, seal_data, sides, staff_covers_any, started_by, steps_of,
};
use crate::materials::MaterialNeed;
use crate::people;
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use tongban_domain::Calendar;
use tongban_domain::calendar::china_today;
use tongban_domain::cases::{
    self as lifecycle, Actor, CaseAction, CaseState, Clock, Lifecycle, Pause, Side, TransitionError, WarningRule,
};
use tongban_domain::catalog::{Audience, CaseKind, Offering, ReviewStep};
use tongban_domain::forms::{Form, PrefillSource};
use tongban_domain::identity::{AgentScope, Assurance, StaffRole};
use tongban_store::StoreError;
use tongban_store::audit::{AuditReport, AuditSealRow, TrailDraft, TrailRow};
use tongban_store::cases::{ApplicationRow, CaseRow, FollowUps, Notice, Numbering, QueueFilter};

mod actions;
mod applications;
mod views;

pub use actions::*;
pub use applications::*;
pub use views::*;

/// The assurance level needed to submit: a real name (L2).
pub const SUBMIT_ASSURANCE: Assurance = Assurance::L2;
/// The longest comment on an action.
pub const MAX_COMMENT: usize = 500;

/// Settings and caches of case handling.
pub struct Cases {
    /// This node's number in case numbers (0–99), unique among the nodes sharing a database.
    pub node: u8,
    pub warnings: WarningRule,
}

impl Default for Cases {
    fn default() -> Self {
        Self { node: 1, warnings: WarningRule::default() }
    }
}

/// What a person does on a case, as the trail records it.
fn role_name(who: &Principal, applicant: bool) -> String {
    if applicant { if who.acting.is_some() { "agent".into() } else { "applicant".into() } } else { "staff".into() }
}

/// What happens next, in the applicant's words.
pub fn next_step_text(state: CaseState) -> String {
    match state {
        CaseState::Submitted => "等待窗口预审：受理、不予受理或一次性告知需补正的全部内容。",
        CaseState::SupplementRequested => "请按补正告知一次补齐全部内容后重新提交；补正期间不计入办理时限。",
        CaseState::UnderReview => "已受理，正在审查。",
        CaseState::InProcedure => "正在进行特殊环节（听证、检验、检测、专家评审等），所需时间不计入办理时限。",
        CaseState::Refused => "不予受理，理由与依据见办件记录。",
        CaseState::Approved => "已准予，正在制作办理结果。",
        CaseState::Denied => "不予许可，理由与依据见办件记录；如不服可依法申请行政复议或提起行政诉讼。",
        CaseState::Concluded => "已办结，等待送达。",
        CaseState::Delivered => "结果已送达。",
        CaseState::Withdrawn => "您已撤回申请。",
    }
    .to_owned()
}
