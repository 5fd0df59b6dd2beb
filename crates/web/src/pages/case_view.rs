//! What the applicant's and the staff's case pages share: a case as a list row, its facts and
//! clock, its timeline in plain words, and a refused action's form shown again.

use super::china_time;
use super::forms::FormErrors;
use crate::case_labels::CaseLabels;
use crate::extract::QueryPairs;
use serde_json::Value;
use tongban_app::cases::{CaseView, TrailEntryView};
use tongban_domain::cases::CaseState;

pub struct CaseRowView {
    pub number: String,
    pub service: String,
    pub state: &'static str,
    pub due: String,
    pub warning: Option<(&'static str, &'static str)>,
}

pub fn case_row(l: &CaseLabels, c: &CaseView) -> CaseRowView {
    CaseRowView {
        number: c.case_number.clone(),
        service: c.offering_name.clone(),
        state: l.state(c.state),
        due: c.clock.map(|k| k.due.due.to_string()).unwrap_or_default(),
        warning: c.clock.filter(|_| !c.state.is_final()).map(|k| (k.warning.as_str(), l.warning(k.warning))),
    }
}

/// The case facts both the applicant and staff pages show.
pub struct CaseFacts {
    pub number: String,
    pub service: String,
    pub state: &'static str,
    pub step: String,
    pub next: String,
    /// Concluded with approval, the licence being issued.
    pub licence_pending: bool,
    /// The licence issued.
    pub licence: Option<tongban_app::cases::IssuedLicence>,
    pub submitted_at: String,
    pub clock: Option<(u32, u32, i64, String, bool, bool)>,
    pub warning: Option<(&'static str, &'static str)>,
    pub supplement: Vec<String>,
}

pub fn facts(l: &CaseLabels, c: &CaseView) -> CaseFacts {
    CaseFacts {
        number: c.case_number.clone(),
        service: c.offering_name.clone(),
        state: l.state(c.state),
        step: match (&c.step_agency, c.state.clock_runs()) {
            (_, false) => String::new(),
            // A joint step (联办件) names the agency whose step it is.
            (Some(agency), true) => format!("{}（{agency}）", c.step),
            (None, true) => c.step.clone(),
        },
        next: l.next_step(c.state, &c.next),
        licence_pending: c.licence_pending,
        licence: c.licence.clone(),
        submitted_at: china_time(c.submitted_at),
        clock: c.clock.map(|k| (k.limit, k.used, k.remaining, k.due.due.to_string(), k.due.provisional, k.paused)),
        warning: case_row(l, c).warning,
        supplement: c.supplement.clone().unwrap_or_default(),
    }
}

/// One line of the timeline: when, what in plain words, and the details: labelled texts (reasons,
/// the procedure) before the items of a supplement notice, and notes (tracking number, comment) after.
/// The texts are what people wrote, in Chinese; the labels are in the page's language.
pub struct TimelineRow {
    pub at: String,
    pub what: String,
    pub details: Vec<(&'static str, String)>,
    pub missing: Vec<String>,
    /// How the result was delivered, in words.
    pub delivery: Option<&'static str>,
    pub notes: Vec<(&'static str, String)>,
}

/// An error of a case action's form, named by its field's label and linked to its input.
pub struct ActionError {
    pub field: String,
    /// The id of the input; empty when the error is about no one field (a stale page, an action the
    /// state no longer allows).
    pub anchor: String,
    pub label: &'static str,
    pub message: String,
}

/// What a case page shows again after the form of an action was refused: the errors by label, and
/// what was typed.
#[derive(Default)]
pub struct Refused {
    pub action: String,
    pub errors: Vec<ActionError>,
    pub posted: Vec<(String, String)>,
}

impl Refused {
    pub fn new(l: &CaseLabels, action: &str, errors: FormErrors, posted: &QueryPairs) -> Self {
        let errors = errors
            .into_iter()
            .map(|(field, message)| {
                let (anchor, label) = match field.as_str() {
                    "reason" => (format!("{action}-reason"), l.reason),
                    "legal_basis" => (format!("{action}-basis"), l.legal_basis),
                    "missing" => ("missing".to_owned(), l.missing),
                    "name" => ("procedure".to_owned(), l.procedure_name),
                    "tracking_number" => ("tracking".to_owned(), l.tracking_number),
                    "comment" => (format!("{action}-comment"), l.comment),
                    // A file refused by a supplement's upload (its form's file field).
                    "file" | "material" => ("supplement-file".to_owned(), l.choose_file),
                    _ => (String::new(), ""),
                };
                ActionError { field, anchor, label, message }
            })
            .collect();
        let posted = posted.0.iter().filter(|(k, _)| k != "csrf").cloned().collect();
        Self { action: action.to_owned(), errors, posted }
    }

    /// The error of a field of the form of `action`, if that form was the one refused.
    pub fn error(&self, action: &str, field: &str) -> Option<&str> {
        if self.action != action {
            return None;
        }
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// What was typed into a field of the form of `action`, if that form was the one refused.
    pub fn value(&self, action: &str, field: &str) -> &str {
        if self.action != action {
            return "";
        }
        self.posted.iter().find(|(k, _)| k == field).map_or("", |(_, v)| v.as_str())
    }
}

pub fn timeline(l: &CaseLabels, trail: &[TrailEntryView], en: bool) -> Vec<TimelineRow> {
    trail
        .iter()
        .map(|e| {
            let what = if en {
                let who = match e.actor_role.as_str() {
                    "applicant" => "Applicant",
                    "agent" => "Agent",
                    _ => "Staff",
                };
                let state = CaseState::parse(&e.after_state).map_or("", |s| l.state(s));
                let at = |k: &str| e.detail.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                let visit = if e.action == "hall_visit" {
                    format!(" ({}, window {}, ticket {})", at("hall"), at("window"), at("ticket"))
                } else {
                    String::new()
                };
                format!("{who}: {}{visit} → {state}", l.action(&e.action))
            } else {
                // A step that is no case action (a rating, its follow-up) is named by its label.
                let named = l.action(&e.action);
                match named.is_empty() {
                    true => e.summary.clone(),
                    false => e.summary.replacen(&format!("{}，", e.action), &format!("{named}，"), 1),
                }
            };
            let labelled = |pairs: &[(&str, &'static str)]| -> Vec<(&'static str, String)> {
                pairs
                    .iter()
                    .filter_map(|(k, label)| Some((*label, e.detail.get(*k).and_then(Value::as_str)?.to_owned())))
                    .collect()
            };
            let details = labelled(&[("reason", l.reason), ("legal_basis", l.legal_basis), ("name", l.procedure_name)]);
            let missing = e
                .detail
                .get("missing")
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            let delivery = (e.action == "deliver")
                .then(|| e.detail.get("method").and_then(Value::as_str).and_then(|m| l.delivery(m)))
                .flatten();
            let notes = labelled(&[("tracking_number", l.tracking_number), ("comment", l.comment)]);
            TimelineRow { at: china_time(e.at), what, details, missing, delivery, notes }
        })
        .collect()
}

/// The page a destructive action (不予受理, 不予许可, 撤回) asks on before it is done: what will
/// happen, what was typed, and two buttons — do it (red), or go back with what was typed kept.
/// A form, so it works without script.
#[derive(askama::Template)]
#[template(path = "confirm_action.html")]
pub struct ConfirmPage<'a> {
    pub f: &'a super::Frame,
    pub l: &'static CaseLabels,
    pub csrf: String,
    pub number: String,
    pub service: String,
    /// The action as this case words it.
    pub label: &'static str,
    pub warning: &'static str,
    /// What was typed, by label.
    pub summary: Vec<(&'static str, String)>,
    pub post_to: String,
    /// The posted fields, sent again with the confirmation.
    pub posted: Vec<(String, String)>,
    pub back: &'static str,
}

impl<'a> ConfirmPage<'a> {
    /// The confirmation of `action` on case `c`, posted back to `post_to` with `form`'s fields.
    pub fn new(f: &'a super::Frame, c: &CaseView, action: &str, form: &QueryPairs, post_to: String) -> Self {
        let l = f.lang.cases();
        let typed = |k: &str| form.first(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let summary = [("reason", l.reason), ("legal_basis", l.legal_basis), ("comment", l.comment)]
            .into_iter()
            .filter_map(|(k, label)| Some((label, typed(k)?)))
            .collect();
        let withdraw = action == "withdraw";
        Self {
            f,
            l,
            csrf: String::new(),
            number: c.case_number.clone(),
            service: c.offering_name.clone(),
            label: l.decision(action, &c.item_type),
            warning: if withdraw { l.confirm_withdraw } else { l.confirm_staff },
            summary,
            post_to,
            posted: form
                .0
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "csrf" | "confirmed" | "back"))
                .cloned()
                .collect(),
            back: if withdraw { l.confirm_keep } else { l.confirm_back },
        }
    }
}
