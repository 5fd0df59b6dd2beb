//! Review steps after acceptance: the deciding agency's own (`Offering::review_steps`) and, in a
//! joint case (联办件), each joint agency's (`Offering::joint_agencies`).

use super::{CaseKind, Offering};
use crate::{CreditCode, DivisionCode};
use serde::{Deserialize, Serialize};

/// The most review steps an offering may declare.
pub const MAX_REVIEW_STEPS: usize = 10;

/// An agency taking part in a joint case (联办件), with the step it performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JointAgency {
    pub credit_code: String,
    pub name: String,
    pub division_code: String,
    /// Its step, e.g. 交通安全审查.
    pub step: String,
}

/// A review step of a case after acceptance: the deciding agency's own, or in a joint case
/// another agency's. Stored with the case; an own step is stored as its bare name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReviewStep {
    Own(String),
    Joint { name: String, agency_code: String, agency_name: String, division_code: String },
}

impl ReviewStep {
    pub fn name(&self) -> &str {
        match self {
            Self::Own(name) | Self::Joint { name, .. } => name,
        }
    }

    /// The agency and division whose approvers perform a joint step.
    pub fn place(&self) -> Option<(&str, &str)> {
        match self {
            Self::Own(_) => None,
            Self::Joint { agency_code, division_code, .. } => Some((agency_code, division_code)),
        }
    }
}

impl Offering {
    /// The review steps after acceptance: this agency's own but the last, each joint agency's,
    /// then this agency's last, which decides.
    pub fn steps_after_acceptance(&self) -> Vec<ReviewStep> {
        let (last, before) = match self.review_steps.split_last() {
            Some((last, before)) => (last.clone(), before),
            None => ("审查决定".to_owned(), &[][..]),
        };
        let joint = self.joint_agencies.iter().map(|j| ReviewStep::Joint {
            name: j.step.clone(),
            agency_code: j.credit_code.clone(),
            agency_name: j.name.clone(),
            division_code: j.division_code.clone(),
        });
        before.iter().cloned().map(ReviewStep::Own).chain(joint).chain([ReviewStep::Own(last)]).collect()
    }
}

/// The rules of the review steps and joint agencies, each broken one reported through `bad`.
pub(super) fn check_steps(o: &Offering, division_known: &dyn Fn(&str) -> bool, bad: &mut impl FnMut(&str, String)) {
    let blank = |s: &str| s.trim().is_empty();
    if o.review_steps.len() > MAX_REVIEW_STEPS || o.review_steps.iter().any(|s| blank(s)) {
        bad("review_steps", format!("应为 1 至 {MAX_REVIEW_STEPS} 个非空环节 (1 to {MAX_REVIEW_STEPS} named steps)"));
    }
    if !o.joint_agencies.is_empty() {
        if o.case_kind != CaseKind::Joint {
            bad("joint_agencies", "只有联办件列明联办部门 (only a joint case lists joint agencies)".into());
        }
        if o.review_steps.len() + o.joint_agencies.len() > MAX_REVIEW_STEPS {
            bad(
                "joint_agencies",
                format!("环节合计不能超过 {MAX_REVIEW_STEPS} 个 (at most {MAX_REVIEW_STEPS} steps in all)"),
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, j) in o.joint_agencies.iter().enumerate() {
            let at = |f: &str| format!("joint_agencies[{i}].{f}");
            if let Err(e) = CreditCode::parse(&j.credit_code) {
                bad(&at("credit_code"), e.to_string());
            } else if j.credit_code == o.agency.credit_code || !seen.insert(j.credit_code.clone()) {
                bad(&at("credit_code"), "联办部门应为本部门以外、互不相同的部门 (another agency, listed once)".into());
            }
            match DivisionCode::parse(&j.division_code) {
                Err(e) => bad(&at("division_code"), e.to_string()),
                Ok(d) if !division_known(d.as_str()) => {
                    bad(&at("division_code"), "不是已知的行政区划 (not a known division)".into())
                }
                Ok(_) => {}
            }
            if blank(&j.name) {
                bad(&at("name"), "不能为空 (required)".into());
            }
            if blank(&j.step) {
                bad(&at("step"), "不能为空 (required)".into());
            }
        }
    }
}
