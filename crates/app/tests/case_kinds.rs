//! Case kinds beyond the committed case (DOMAIN.md §2): an immediate case (即办件) concluded by
//! its decision, and a joint case (联办件) reviewed by another agency in a step of its own.

mod support;

use support::*;
use tongban_app::AppError;
use tongban_app::cases::{self, QueueRequest};
use tongban_app::identity::{self, Client};
use tongban_app::staff::{self, NewAssignment};
use tongban_domain::cases::{CaseAction, CaseState};

#[tokio::test]
async fn an_immediate_case_is_concluded_by_its_decision_the_same_day() {
    let w = world().await;
    let mut o = offering();
    o.case_kind = tongban_domain::catalog::CaseKind::Immediate;
    o.committed_limit = 0;
    tongban_app::catalog::publish(&w.app, &o, "test").await.unwrap();
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    let v = act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    assert_eq!(v.state, CaseState::Concluded, "即办件: the decision concludes it");
    let clock = v.clock.unwrap();
    assert_eq!((clock.limit, clock.due.due), (0, tongban_domain::calendar::china_today()));
    let trail = cases::trail(&w.app, &w.zhang, &n).await.unwrap();
    let tail: Vec<(&str, &str, &str)> = trail[trail.len() - 2..]
        .iter()
        .map(|e| (e.action.as_str(), e.before_state.as_str(), e.after_state.as_str()))
        .collect();
    assert_eq!(tail, [("approve", "under_review", "approved"), ("conclude", "approved", "concluded")]);
    assert!(cases::verify_audit(&w.app).await.unwrap().problems.is_empty());
    // A committed case still waits for its own conclusion.
    let mut o = offering();
    o.case_kind = tongban_domain::catalog::CaseKind::Committed;
    tongban_app::catalog::publish(&w.app, &o, "test").await.unwrap();
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    assert_eq!(act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap().state, CaseState::Approved);
}

#[tokio::test]
async fn a_joint_case_goes_through_the_other_agencys_step_before_the_decision() {
    let w = world().await;
    let police = "111101015425293395";
    let mut o = offering();
    o.case_kind = tongban_domain::catalog::CaseKind::Joint;
    o.joint_agencies = vec![tongban_domain::catalog::JointAgency {
        credit_code: police.into(),
        name: "北京市公安局东城分局".into(),
        division_code: "110101".into(),
        step: "消防安全审查".into(),
    }];
    tongban_app::catalog::publish(&w.app, &o, "test").await.unwrap();
    let officer = person(&w.app, 6, "警官", "13700000006").await;
    let assignment = NewAssignment {
        person: "13700000006".into(),
        role: "approver".into(),
        agency_code: police.into(),
        division_code: "110101".into(),
    };
    let admin =
        identity::login(&w.app, "13700000003", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    staff::assign(&w.app, Some(&admin), assignment).await.unwrap();
    let officer = identity::rotate_session(&w.app, &officer, &Client::default()).await.unwrap().principal;

    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    assert!(matches!(act(&w, &officer, &n, CaseAction::Pass).await, Err(AppError::Forbidden)), "not its step yet");
    let v = act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    assert_eq!((v.step.as_str(), v.step_agency.as_deref()), ("消防安全审查", Some("北京市公安局东城分局")));
    assert_eq!(v.steps, ["审核", "消防安全审查", "登记决定"]);

    // The joint step is the other agency's: in its queue, out of the deciding agency's hands.
    let q = |agency: &str| QueueRequest {
        agency: agency.into(),
        division: "110101".into(),
        states: vec![CaseState::UnderReview],
        limit: 20,
        ..Default::default()
    };
    let theirs = cases::queue(&w.app, &officer, &q(police)).await.unwrap();
    assert_eq!(theirs.iter().map(|c| c.case_number.as_str()).collect::<Vec<_>>(), [n.as_str()]);
    let ours = cases::queue(&w.app, &w.approver, &q(&o.agency.credit_code)).await.unwrap();
    assert!(ours.is_empty(), "the deciding agency waits for the joint step");
    assert!(matches!(act(&w, &w.approver, &n, CaseAction::Pass).await, Err(AppError::Forbidden)));
    assert!(matches!(act(&w, &officer, &n, CaseAction::Approve).await, Err(AppError::Conflict { .. })));
    let v = act(&w, &officer, &n, CaseAction::Pass).await.unwrap();
    assert_eq!((v.step.as_str(), v.step_agency), ("登记决定", None));
    // A queue cursor must be a case of that queue: one gone back to its agency is "no such case",
    // so the cursor does not tell whether a number exists elsewhere.
    let cursor = QueueRequest { after: Some(n.clone()), ..q(police) };
    assert_eq!(fields(cases::queue(&w.app, &officer, &cursor).await.unwrap_err()), ["after"]);

    // The decision is the deciding agency's alone; the joint agency still reads the case.
    assert!(matches!(act(&w, &officer, &n, CaseAction::Approve).await, Err(AppError::Forbidden)));
    assert_eq!(act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap().state, CaseState::Approved);
    assert_eq!(cases::get_case(&w.app, &officer, &n).await.unwrap().case_number, n);
    let trail = cases::trail(&w.app, &w.zhang, &n).await.unwrap();
    assert!(trail.iter().any(|e| e.action == "pass" && e.summary.contains("消防安全审查")), "{trail:?}");
}
