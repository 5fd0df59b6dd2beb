//! Applications (申请) and cases (办件): start an application from a guide with the data the
//! platform already knows filled in (一表申请), save and return, submit once (a repeat gives the
//! same case), and every action on the case through the domain's state machine, the statutory
//! clock and the one authorization check — each change written with its audit entry and the
//! applicant's message in one transaction.

use crate::forms::{Guide, GuideCache};
use crate::identity::{self, Principal};
use crate::materials::MaterialNeed;
use crate::policy::{self, Need};
use crate::{App, AppError};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use tongban_domain::Calendar;
use tongban_domain::calendar::china_today;
use tongban_domain::cases::{
    self as lifecycle, Actor, CaseAction, CaseState, Clock, Lifecycle, Pause, Side, TransitionError, WarningRule,
};
use tongban_domain::catalog::{Audience, CaseKind, Offering, ReviewStep};
use tongban_domain::forms::{Form, PrefillSource};
use tongban_domain::identity::{AgentScope, Assurance, StaffRole};
use tongban_store::audit::{AuditReport, TrailDraft, TrailRow};
use tongban_store::cases::{ApplicationRow, CaseRow, Notice, Numbering, QueueFilter};

mod actions;
mod applications;
mod views;

pub use actions::*;
pub use applications::*;
pub use views::*;

/// The sealing context of application data.
const DATA: &str = "application.data";
/// The assurance level needed to submit: a real name (L2).
pub const SUBMIT_ASSURANCE: Assurance = Assurance::L2;
/// The longest comment on an action.
pub const MAX_COMMENT: usize = 500;

/// Settings and caches of case handling.
pub struct Cases {
    /// This node's number in case numbers (0–99), unique among the nodes sharing a database.
    pub node: u8,
    pub warnings: WarningRule,
    pub guides: GuideCache,
    /// Where notifications of changes go beside the in-site message (`App::open` sets SMS and
    /// the development mailbox).
    pub channels: Vec<Arc<dyn crate::notify::Channel>>,
}

impl Default for Cases {
    fn default() -> Self {
        Self { node: 1, warnings: WarningRule::default(), guides: GuideCache::default(), channels: Vec::new() }
    }
}

/// For whom an application is made: the person, or the organization they act for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Applicant {
    person_id: String,
    /// The organization's credit code; empty for the person themselves.
    organization: String,
}

/// The applicant `who` acts as, with the scope the action needs when acting for an organization.
async fn applicant(app: &App, who: &Principal, scope: AgentScope) -> Result<Applicant, AppError> {
    if who.acting.is_some() {
        policy::authorize(app, who, Need::Organization(scope)).await?;
    }
    Ok(Applicant {
        person_id: who.person_id.clone(),
        organization: who.acting.as_ref().map(|a| a.credit_code.clone()).unwrap_or_default(),
    })
}

fn owns(a: &Applicant, applicant_id: &str, organization: &str) -> bool {
    if a.organization.is_empty() {
        organization.is_empty() && applicant_id == a.person_id
    } else {
        organization == a.organization
    }
}

pub(crate) const NO_APPLICATION: AppError = AppError::NotFound { what: "申请", what_en: "application" };
const NO_CASE: AppError = AppError::NotFound { what: "办件", what_en: "case" };

/// What a person does on a case, as the trail records it.
fn role_name(who: &Principal, applicant: bool) -> String {
    if applicant { if who.acting.is_some() { "agent".into() } else { "applicant".into() } } else { "staff".into() }
}

fn message_id() -> Result<String, AppError> {
    Ok(format!("m_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]))
}

/// Whether `who` holds one of `roles` covering any of `places` (an agency and division each).
async fn staff_covers_any(app: &App, who: &Principal, roles: &[StaffRole], places: &[(&str, &str)]) -> bool {
    for place in places {
        if policy::authorize(app, who, Need::Staff(roles, Some(*place))).await.is_ok() {
            return true;
        }
    }
    false
}

/// The receiving side and the agency handling the current step (the deciding agency, or at a
/// joint step another), as places staff roles cover.
fn sides(case: &CaseRow) -> [(&str, &str); 2] {
    [
        (case.receiving_agency.as_str(), case.receiving_division.as_str()),
        (case.handling_agency.as_str(), case.handling_division.as_str()),
    ]
}

fn deciding(case: &CaseRow) -> (&str, &str) {
    (case.deciding_agency.as_str(), case.deciding_division.as_str())
}

/// The review steps stored with a case.
fn steps_of(case: &CaseRow) -> Result<Vec<ReviewStep>, AppError> {
    serde_json::from_value(case.steps.clone()).map_err(AppError::internal)
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
