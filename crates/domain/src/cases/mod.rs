//! Cases (办件): the lifecycle of a submitted application as a state machine, the human case
//! number (办件编号), and the statutory clock (DOMAIN.md §2, §3, §7). Pure: callers pass the
//! calendar and today's date.

mod clock;
mod number;

pub use clock::{Clock, Pause, Warning, WarningRule, clock};
pub use number::{CASE_NUMBER_LEN, CaseNumber, MAX_DAILY_SEQUENCE};

use crate::identity::StaffRole;
use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseState {
    /// 待受理: submitted, in pre-review (预审) at the receiving window.
    Submitted,
    /// 待补正: one notice listed everything missing; the clock stands still until the applicant answers.
    SupplementRequested,
    /// 办理中: accepted, at one of the offering's review steps.
    UnderReview,
    /// 特殊环节: hearing, testing, inspection or expert review (行政许可法 §45), not counted.
    InProcedure,
    /// 不予受理.
    Refused,
    /// 准予 (许可/登记…): decided in the applicant's favour, the result is being produced.
    Approved,
    /// 不予许可.
    Denied,
    /// 办结.
    Concluded,
    /// 已送达.
    Delivered,
    /// 已撤回 by the applicant before the decision.
    Withdrawn,
}

impl CaseState {
    pub const ALL: [CaseState; 10] = [
        Self::Submitted,
        Self::SupplementRequested,
        Self::UnderReview,
        Self::InProcedure,
        Self::Refused,
        Self::Approved,
        Self::Denied,
        Self::Concluded,
        Self::Delivered,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::SupplementRequested => "supplement_requested",
            Self::UnderReview => "under_review",
            Self::InProcedure => "in_procedure",
            Self::Refused => "refused",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Concluded => "concluded",
            Self::Delivered => "delivered",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The name applicants and staff read.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Submitted => "待受理",
            Self::SupplementRequested => "待补正",
            Self::UnderReview => "办理中",
            Self::InProcedure => "特殊环节",
            Self::Refused => "不予受理",
            Self::Approved => "准予办理",
            Self::Denied => "不予许可",
            Self::Concluded => "已办结",
            Self::Delivered => "已送达",
            Self::Withdrawn => "已撤回",
        }
    }

    /// Whether nothing more can happen to the case.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Refused | Self::Delivered | Self::Withdrawn)
    }

    /// Whether the clock runs: accepted and not yet decided, nor suspended.
    pub fn clock_runs(self) -> bool {
        self == Self::UnderReview
    }
}

/// How a result reaches the applicant (送达方式).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Delivery {
    /// 网上送达.
    Online,
    /// 窗口领取.
    PickUp,
    /// 邮寄, with the carrier's tracking number.
    Post { tracking_number: String },
}

/// Something done to a case. Free-text fields are checked by `validate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseAction {
    /// 受理: the clock starts the next day.
    Accept,
    /// 不予受理, with the reason and its legal basis.
    Refuse { reason: String, legal_basis: String },
    /// 一次性告知补正: every missing or faulty thing at once.
    RequestSupplement { missing: Vec<String> },
    /// The applicant answers the notice (补正材料); the clock resumes that day.
    Supplement,
    /// 审查通过: the current review step is done, on to the next.
    Pass,
    /// 特殊环节 begins (听证、检验、检测、检疫、鉴定、专家评审); the clock stands still.
    StartProcedure { name: String },
    /// The special procedure has ended.
    EndProcedure,
    /// 准予: the decision at the last review step.
    Approve,
    /// 不予许可, with the reason and its legal basis.
    Deny { reason: String, legal_basis: String },
    /// 办结.
    Conclude,
    /// 送达.
    Deliver(Delivery),
    /// 撤回 by the applicant before the decision.
    Withdraw,
}

/// Which side of a case a staff action belongs to (DOMAIN.md §7: the receiving agency and the
/// deciding agency are distinct roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Receiving,
    Deciding,
    /// Either: the result is delivered by the deciding agency or through the receiving window.
    Either,
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The applicant (or an agent of the applicant organization with the cases scope).
    Applicant,
    /// Staff with one of these roles on this side of the case.
    Staff(&'static [StaffRole], Side),
}

const WINDOW: &[StaffRole] = &[StaffRole::WindowStaff];
const APPROVER: &[StaffRole] = &[StaffRole::Approver];
const DELIVERERS: &[StaffRole] = &[StaffRole::WindowStaff, StaffRole::Approver];

/// Why an action cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("办件处于“{}”状态，不能{} (a case that is {} cannot be {})", .state.name_zh(), .action_zh, .state.as_str(), .action)]
    NotAllowed { state: CaseState, action: &'static str, action_zh: &'static str },
    /// Every malformed field at once, each with why.
    #[error("{}", .fields.iter().map(|(f, r)| format!("{f}: {r}")).collect::<Vec<_>>().join("; "))]
    Invalid { fields: Vec<(&'static str, String)> },
}

/// The longest free text of an action (reasons, comments, items of a notice).
pub const MAX_TEXT: usize = 500;
/// The most items one supplement notice may list.
pub const MAX_MISSING: usize = 50;

/// Why a free text is not acceptable, if it is not.
fn text(s: &str) -> Option<String> {
    let n = s.trim().chars().count();
    if n == 0 {
        Some("不能为空 (required)".into())
    } else if n > MAX_TEXT {
        Some(format!("不能超过 {MAX_TEXT} 个字 (at most {MAX_TEXT} characters)"))
    } else {
        None
    }
}

impl CaseAction {
    pub fn as_str(&self) -> &'static str {
        self.names().0
    }

    /// The action's name in the API and in Chinese.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Self::Accept => ("accept", "受理"),
            Self::Refuse { .. } => ("refuse", "不予受理"),
            Self::RequestSupplement { .. } => ("request_supplement", "要求补正"),
            Self::Supplement => ("supplement", "补正"),
            Self::Pass => ("pass", "审查通过"),
            Self::StartProcedure { .. } => ("start_procedure", "进入特殊环节"),
            Self::EndProcedure => ("end_procedure", "结束特殊环节"),
            Self::Approve => ("approve", "准予"),
            Self::Deny { .. } => ("deny", "不予许可"),
            Self::Conclude => ("conclude", "办结"),
            Self::Deliver(_) => ("deliver", "送达"),
            Self::Withdraw => ("withdraw", "撤回"),
        }
    }

    /// The action's Chinese name, for the trail in plain words.
    pub fn name_zh(&self) -> &'static str {
        self.names().1
    }

    /// Checks the free-text fields: every malformed one at once, each named.
    pub fn validate(&self) -> Result<(), TransitionError> {
        let mut fields: Vec<(&'static str, String)> = Vec::new();
        let mut check = |field, s: &str| fields.extend(text(s).map(|r| (field, r)));
        match self {
            Self::Refuse { reason, legal_basis } | Self::Deny { reason, legal_basis } => {
                check("reason", reason);
                check("legal_basis", legal_basis);
            }
            Self::RequestSupplement { missing } => {
                if missing.is_empty() || missing.len() > MAX_MISSING {
                    fields.push((
                        "missing",
                        format!("应列出 1 至 {MAX_MISSING} 项需补正的内容 (list 1 to {MAX_MISSING} missing things)"),
                    ));
                } else if let Some(bad) = missing.iter().find_map(|m| text(m)) {
                    fields.push(("missing", bad));
                }
            }
            Self::StartProcedure { name } => check("name", name),
            Self::Deliver(Delivery::Post { tracking_number }) => {
                let ok = (4..=40).contains(&tracking_number.len())
                    && tracking_number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !ok {
                    fields.push((
                        "tracking_number",
                        "邮件单号应为 4 至 40 位字母或数字 (4 to 40 letters or digits)".into(),
                    ));
                }
            }
            _ => {}
        }
        if fields.is_empty() { Ok(()) } else { Err(TransitionError::Invalid { fields }) }
    }

    /// Who may take this action on a case in `state`.
    pub fn actor(&self, state: CaseState) -> Actor {
        match self {
            Self::Supplement | Self::Withdraw => Actor::Applicant,
            Self::Accept | Self::Refuse { .. } => Actor::Staff(WINDOW, Side::Receiving),
            Self::RequestSupplement { .. } if state == CaseState::Submitted => Actor::Staff(WINDOW, Side::Receiving),
            Self::Deliver(_) => Actor::Staff(DELIVERERS, Side::Either),
            _ => Actor::Staff(APPROVER, Side::Deciding),
        }
    }
}

/// A case's position in its lifecycle: the state, the review step it is at (0-based) of how
/// many, and whether it has been accepted. Changed only by `apply`, so every stored position
/// was reached by a legal path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifecycle {
    state: CaseState,
    step: u16,
    steps: u16,
    accepted: bool,
}

impl Lifecycle {
    /// A newly submitted case whose offering has `steps` review steps (at least one: the decision).
    pub fn submitted(steps: u16) -> Self {
        Self { state: CaseState::Submitted, step: 0, steps: steps.max(1), accepted: false }
    }

    /// A stored position, checked for consistency (a stored row is input like any other).
    pub fn restore(state: CaseState, step: u16, steps: u16, accepted: bool) -> Option<Self> {
        let steps = steps.max(1);
        let needs_acceptance = !matches!(
            state,
            CaseState::Submitted | CaseState::SupplementRequested | CaseState::Refused | CaseState::Withdrawn
        );
        let decided =
            matches!(state, CaseState::Approved | CaseState::Denied | CaseState::Concluded | CaseState::Delivered);
        let consistent = step < steps
            && (accepted || !needs_acceptance)
            && !(accepted && matches!(state, CaseState::Submitted | CaseState::Refused))
            && (accepted || step == 0)
            && (!decided || step + 1 == steps);
        consistent.then_some(Self { state, step, steps, accepted })
    }

    pub fn state(&self) -> CaseState {
        self.state
    }
    pub fn step(&self) -> u16 {
        self.step
    }
    pub fn steps(&self) -> u16 {
        self.steps
    }
    pub fn accepted(&self) -> bool {
        self.accepted
    }

    fn at_last_step(&self) -> bool {
        self.step + 1 >= self.steps
    }

    /// The position after `action`, or why it cannot be taken. This match is the whole state
    /// machine: every pair it does not list is refused.
    pub fn apply(&self, action: &CaseAction) -> Result<Self, TransitionError> {
        use CaseAction as A;
        use CaseState as S;
        action.validate()?;
        let to = |state: S| Ok(Self { state, ..*self });
        match (self.state, action) {
            (S::Submitted, A::Accept) => Ok(Self { state: S::UnderReview, step: 0, accepted: true, ..*self }),
            (S::Submitted, A::Refuse { .. }) => to(S::Refused),
            (S::Submitted | S::UnderReview, A::RequestSupplement { .. }) => to(S::SupplementRequested),
            (S::SupplementRequested, A::Supplement) => to(if self.accepted { S::UnderReview } else { S::Submitted }),
            (S::UnderReview, A::Pass) if !self.at_last_step() => Ok(Self { step: self.step + 1, ..*self }),
            (S::UnderReview, A::StartProcedure { .. }) => to(S::InProcedure),
            (S::InProcedure, A::EndProcedure) => to(S::UnderReview),
            (S::UnderReview, A::Approve) if self.at_last_step() => to(S::Approved),
            (S::UnderReview, A::Deny { .. }) if self.at_last_step() => to(S::Denied),
            (S::Approved | S::Denied, A::Conclude) => to(S::Concluded),
            (S::Concluded, A::Deliver(_)) => to(S::Delivered),
            (S::Submitted | S::SupplementRequested | S::UnderReview | S::InProcedure, A::Withdraw) => to(S::Withdrawn),
            (state, action) => {
                let (name, name_zh) = action.names();
                Err(TransitionError::NotAllowed { state, action: name, action_zh: name_zh })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DivisionCode;
    use crate::calendar::{Calendar, CalendarYear, SpecialDay};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        let mut days = vec![SpecialDay { name: "春节".into(), date: d("2026-02-14"), is_off_day: false }];
        for day in 15..=23 {
            days.push(SpecialDay { name: "春节".into(), date: d(&format!("2026-02-{day}")), is_off_day: true });
        }
        days.push(SpecialDay { name: "春节".into(), date: d("2026-02-28"), is_off_day: false });
        let mut c = Calendar::new();
        c.load(&CalendarYear { year: 2026, papers: vec![], days, schema: None, id: None });
        c
    }

    fn refuse() -> CaseAction {
        CaseAction::Refuse {
            reason: "不属于本机关职权范围".into(), legal_basis: "《行政许可法》第三十二条".into()
        }
    }

    fn supplement() -> CaseAction {
        CaseAction::RequestSupplement {
            missing: vec!["经营场所证明".into(), "身份证复印件不清晰".into()]
        }
    }

    fn run(steps: u16, actions: &[CaseAction]) -> Result<Lifecycle, TransitionError> {
        actions.iter().try_fold(Lifecycle::submitted(steps), |l, a| l.apply(a))
    }

    #[test]
    fn the_whole_journey_with_a_supplement_during_review() {
        use CaseAction as A;
        let l = run(
            2,
            &[
                A::Accept,
                A::Pass,
                supplement(),
                A::Supplement,
                A::Approve,
                A::Conclude,
                A::Deliver(Delivery::Post { tracking_number: "SF1234567890".into() }),
            ],
        )
        .unwrap();
        assert_eq!(l.state(), CaseState::Delivered);
        assert!(l.state().is_final());
    }

    #[test]
    fn supplement_in_pre_review_returns_to_pre_review() {
        let l = run(1, &[supplement(), CaseAction::Supplement]).unwrap();
        assert_eq!(l.state(), CaseState::Submitted);
        assert!(!l.accepted());
    }

    #[test]
    fn decisions_only_at_the_last_step_and_pass_only_before_it() {
        let at_first = run(2, &[CaseAction::Accept]).unwrap();
        assert!(matches!(at_first.apply(&CaseAction::Approve), Err(TransitionError::NotAllowed { .. })));
        let at_last = at_first.apply(&CaseAction::Pass).unwrap();
        assert!(at_last.apply(&CaseAction::Pass).is_err());
        assert_eq!(at_last.apply(&CaseAction::Approve).unwrap().state(), CaseState::Approved);
    }

    #[test]
    fn no_withdrawal_after_the_decision_and_nothing_after_refusal() {
        let decided = run(1, &[CaseAction::Accept, CaseAction::Approve]).unwrap();
        let e = decided.apply(&CaseAction::Withdraw).unwrap_err();
        assert!(e.to_string().contains("准予办理"), "{e}");
        let refused = run(1, &[refuse()]).unwrap();
        for a in [CaseAction::Accept, CaseAction::Withdraw, CaseAction::Supplement, CaseAction::Conclude] {
            assert!(refused.apply(&a).is_err());
        }
    }

    #[test]
    fn free_text_is_checked_with_the_field_named() {
        let l = Lifecycle::submitted(1);
        let named = |e: TransitionError| match e {
            TransitionError::Invalid { fields } => fields.into_iter().map(|(f, _)| f).collect::<Vec<_>>(),
            e => panic!("{e}"),
        };
        let e = l.apply(&CaseAction::Refuse { reason: " ".into(), legal_basis: "x".into() }).unwrap_err();
        assert_eq!(named(e), ["reason"]);
        let e = l.apply(&CaseAction::Refuse { reason: " ".into(), legal_basis: "".into() }).unwrap_err();
        assert_eq!(named(e), ["reason", "legal_basis"], "every error at once");
        let e = l.apply(&CaseAction::RequestSupplement { missing: vec![] }).unwrap_err();
        assert_eq!(named(e), ["missing"]);
        let e = CaseAction::Deliver(Delivery::Post { tracking_number: "顺丰".into() }).validate().unwrap_err();
        assert_eq!(named(e), ["tracking_number"]);
    }

    #[test]
    fn who_acts() {
        use CaseState as S;
        assert_eq!(CaseAction::Accept.actor(S::Submitted), Actor::Staff(WINDOW, Side::Receiving));
        assert_eq!(supplement().actor(S::Submitted), Actor::Staff(WINDOW, Side::Receiving));
        assert_eq!(supplement().actor(S::UnderReview), Actor::Staff(APPROVER, Side::Deciding));
        assert_eq!(CaseAction::Withdraw.actor(S::UnderReview), Actor::Applicant);
        assert_eq!(CaseAction::Approve.actor(S::UnderReview), Actor::Staff(APPROVER, Side::Deciding));
    }

    #[test]
    fn actions_parse_from_the_api_shape() {
        let a: CaseAction =
            serde_json::from_str(r#"{"action":"deliver","method":"post","tracking_number":"SF1"}"#).expect("deliver");
        assert_eq!(a, CaseAction::Deliver(Delivery::Post { tracking_number: "SF1".into() }));
        let a: CaseAction = serde_json::from_str(r#"{"action":"request_supplement","missing":["a"]}"#).unwrap();
        assert_eq!(a.as_str(), "request_supplement");
        assert!(serde_json::from_str::<CaseAction>(r#"{"action":"approve_all"}"#).is_err());
        assert!(serde_json::from_str::<CaseAction>(r#"{"action":"refuse","reason":"x"}"#).is_err());
    }

    #[test]
    fn restore_refuses_impossible_positions() {
        assert!(Lifecycle::restore(CaseState::Approved, 0, 1, false).is_none());
        assert!(Lifecycle::restore(CaseState::UnderReview, 2, 2, true).is_none());
        assert!(Lifecycle::restore(CaseState::Submitted, 0, 1, true).is_none());
        assert!(Lifecycle::restore(CaseState::SupplementRequested, 0, 2, true).is_some());
    }

    fn any_action() -> impl Strategy<Value = CaseAction> {
        prop_oneof![
            Just(CaseAction::Accept),
            Just(refuse()),
            Just(supplement()),
            Just(CaseAction::Supplement),
            Just(CaseAction::Pass),
            Just(CaseAction::StartProcedure { name: "专家评审".into() }),
            Just(CaseAction::EndProcedure),
            Just(CaseAction::Approve),
            Just(CaseAction::Deny { reason: "不符合条件".into(), legal_basis: "第三十八条".into() }),
            Just(CaseAction::Conclude),
            Just(CaseAction::Deliver(Delivery::Online)),
            Just(CaseAction::Withdraw),
        ]
    }

    proptest! {
        /// Whatever is tried, every position reached is one `restore` accepts, final states stay
        /// final, a decided case was accepted and went through every step, and every refusal says
        /// truly why.
        #[test]
        fn every_reachable_position_is_consistent(steps in 1u16..4, actions in proptest::collection::vec(any_action(), 0..30)) {
            let mut l = Lifecycle::submitted(steps);
            for a in &actions {
                let before = l;
                match l.apply(a) {
                    Ok(next) => {
                        prop_assert!(!before.state().is_final());
                        if matches!(next.state(), CaseState::Approved | CaseState::Denied) {
                            prop_assert!(next.accepted() && next.step() + 1 == steps);
                        }
                        l = next;
                    }
                    // A refusal is justified: the action itself is malformed, or this state does
                    // not allow it — and the refusal names the state and the action.
                    Err(TransitionError::Invalid { .. }) => prop_assert!(a.validate().is_err()),
                    Err(TransitionError::NotAllowed { state, action, .. }) => {
                        prop_assert!(a.validate().is_ok());
                        prop_assert_eq!((state, action), (before.state(), a.as_str()));
                    }
                }
                prop_assert_eq!(Lifecycle::restore(l.state(), l.step(), l.steps(), l.accepted()), Some(l));
            }
        }

        #[test]
        fn case_numbers_round_trip_and_catch_one_wrong_digit(seq in 0u32..=MAX_DAILY_SEQUENCE, node in 0u8..100, pos in 0usize..22, delta in 1u8..10) {
            let n = CaseNumber::new(&DivisionCode::parse("110105").unwrap(), d("2026-11-24"), node, seq).unwrap();
            prop_assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n.clone());
            let mut bytes = n.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(CaseNumber::parse(&changed).is_err());
        }
    }

    #[test]
    fn case_number_layout() {
        let n = CaseNumber::new(&DivisionCode::parse("110105").unwrap(), d("2026-11-24"), 1, 42).unwrap();
        assert_eq!(&n.as_str()[..22], "1101052026112401000042");
        assert_eq!(n.division(), "110105");
        assert!(CaseNumber::new(&DivisionCode::parse("110105").unwrap(), d("2026-11-24"), 1, 1_000_000).is_none());
    }

    #[test]
    fn a_short_limit_is_yellow_on_its_last_days_only() {
        let rule = WarningRule::default();
        assert_eq!((rule.yellow_from(1), rule.yellow_from(3), rule.yellow_from(6), rule.yellow_from(20)), (0, 0, 1, 2));
        // A 1-day case accepted Mon 2026-03-02: green that day, yellow on its due day, red after.
        let on = |day| clock(&cal(), d("2026-03-02"), 1, &[], None, d(day), rule).warning;
        assert_eq!(
            (on("2026-03-02"), on("2026-03-03"), on("2026-03-04")),
            (Warning::Green, Warning::Yellow, Warning::Red)
        );
    }

    #[test]
    fn clock_over_the_spring_festival() {
        // Accepted Thu 2026-02-12 with 20 working days: due 2026-03-18 (DOMAIN.md §3).
        let c = clock(&cal(), d("2026-02-12"), 20, &[], None, d("2026-02-13"), WarningRule::default());
        assert_eq!(c.due.due, d("2026-03-18"));
        assert_eq!((c.used, c.remaining, c.warning), (1, 19, Warning::Green));
        let late = clock(&cal(), d("2026-02-12"), 20, &[], None, d("2026-03-19"), WarningRule::default());
        assert_eq!((late.remaining, late.warning), (-1, Warning::Red));
        let near = clock(&cal(), d("2026-02-12"), 20, &[], None, d("2026-03-16"), WarningRule::default());
        assert_eq!((near.remaining, near.warning), (2, Warning::Yellow));
    }

    #[test]
    fn a_supplement_moves_the_due_date_by_the_days_between() {
        // Notice on Mon 2026-03-02, answered Thu 2026-03-05: Tue and Wed are not counted.
        let pauses = [Pause { from: d("2026-03-02"), until: Some(d("2026-03-05")) }];
        let c = clock(&cal(), d("2026-02-12"), 20, &pauses, None, d("2026-03-05"), WarningRule::default());
        assert_eq!(c.due.due, d("2026-03-20"));
        assert!(!c.paused);
        let running = [Pause { from: d("2026-03-02"), until: None }];
        let c = clock(&cal(), d("2026-02-12"), 20, &running, None, d("2026-03-04"), WarningRule::default());
        assert!(c.paused);
        assert_eq!(c.warning, Warning::Green);
    }

    #[test]
    fn an_immediate_case_is_due_the_same_day() {
        let c = clock(&cal(), d("2026-03-02"), 0, &[], None, d("2026-03-02"), WarningRule::default());
        assert_eq!((c.due.due, c.warning), (d("2026-03-02"), Warning::Yellow));
        let done =
            clock(&cal(), d("2026-03-02"), 0, &[], Some(d("2026-03-02")), d("2026-03-09"), WarningRule::default());
        assert_eq!(done.warning, Warning::Green);
    }
}
