//! Ratings (好差评): a concluded case rated once by its applicant, a bad review's rectification
//! worked by the deciding agency on its clock and judged by the rater, and the public figures
//! following every step from their counts.

mod support;

use support::*;
use tongban_app::AppError;
use tongban_app::ratings::{self, FigureQuery, NewRating, Step};
use tongban_domain::cases::CaseAction;

fn stars(level: i64, comment: &str) -> NewRating {
    NewRating { level, comment: comment.into(), ..Default::default() }
}

async fn concluded(w: &World) -> String {
    let n = submitted(w).await;
    act(w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    act(w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    act(w, &w.approver, &n, CaseAction::Conclude).await.unwrap();
    n
}

async fn total(w: &World) -> ratings::FigureLine {
    ratings::figures(&w.app, &FigureQuery::default()).await.unwrap().total
}

#[tokio::test]
async fn a_bad_review_is_called_back_rectified_and_judged_and_the_figures_follow() {
    let w = world().await;
    let n = submitted(&w).await;
    let early = ratings::rate(&w.app, &w.zhang, &n, stars(5, "")).await;
    assert!(matches!(early, Err(AppError::Conflict { field: "case_number", .. })), "not before it is concluded");
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Conclude).await.unwrap();
    let t = total(&w).await;
    assert_eq!((t.rateable, t.rated, t.unrated_rate), (1, 0, Some(1.0)), "rateable once concluded");

    assert!(matches!(ratings::rate(&w.app, &w.li, &n, stars(5, "")).await, Err(AppError::NotFound { .. })));
    let bad = ratings::rate(&w.app, &w.zhang, &n, stars(2, " ")).await;
    assert_eq!(fields(bad.unwrap_err()), ["comment"], "a bad review says why");
    let mut wrong = stars(4, "");
    wrong.indicators.insert("attitude".into(), 4);
    assert_eq!(fields(ratings::rate(&w.app, &w.zhang, &n, wrong).await.unwrap_err()), ["indicators.attitude"]);

    let r = ratings::rate(&w.app, &w.zhang, &n, stars(2, "等了很久<script>")).await.unwrap();
    assert_eq!((r.level, r.level_name.as_str(), r.indicators.len()), (2, "不满意", 5));
    let x = r.rectification.expect("a bad review opens a rectification");
    assert_eq!((x.state.as_str(), x.remaining), ("open", Some(5)), "five working days by default");
    assert!(x.rater.contains('*') && !x.rater.contains("张三"), "masked: {}", x.rater);
    let again = ratings::rate(&w.app, &w.zhang, &n, stars(5, "")).await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "one rating per case");
    let t = total(&w).await;
    assert_eq!(
        (t.rated, t.bad, t.bad_rate, t.unrated_rate, t.bad_answered_rate),
        (1, 1, Some(1.0), Some(0.0), Some(0.0))
    );

    // The deciding agency's staff see it; another person neither sees nor works it.
    assert!(matches!(ratings::queue(&w.app, &w.li, true).await, Err(AppError::Forbidden)));
    let queue = ratings::queue(&w.app, &w.approver, true).await.unwrap();
    assert_eq!(queue.iter().map(|q| q.case_number.as_str()).collect::<Vec<_>>(), [n.as_str()]);
    let shown = ratings::rater_contact(&w.app, &w.approver, &x.rating_id).await.unwrap();
    assert_eq!((shown.name.as_str(), shown.phone.as_str()), ("张三", "13812345678"));
    let call = Step::Callback { outcome: "已致电申请人，说明原因并致歉".into() };
    assert!(matches!(
        ratings::work(&w.app, &w.li, &x.rating_id, call.clone(), x.version).await,
        Err(AppError::NotFound { .. })
    ));
    let empty = Step::Answer { answer: "  ".into() };
    assert_eq!(
        fields(ratings::work(&w.app, &w.approver, &x.rating_id, empty, x.version).await.unwrap_err()),
        ["answer"]
    );
    let x = ratings::work(&w.app, &w.approver, &x.rating_id, call.clone(), x.version).await.unwrap();
    assert!(x.called_back_at.is_some());
    let stale = ratings::work(&w.app, &w.approver, &x.rating_id, call, x.version - 1).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "a step on what was read");
    assert_eq!(total(&w).await.rectified_rate, Some(0.0), "called back, not yet rectified");

    let judged_early = ratings::judge(&w.app, &w.zhang, &n, true).await;
    assert!(matches!(judged_early, Err(AppError::Conflict { .. })), "nothing to judge before the answer");
    let answer = Step::Answer { answer: "已增设窗口，缩短等候时间".into() };
    let x = ratings::work(&w.app, &w.approver, &x.rating_id, answer, x.version).await.unwrap();
    assert_eq!((x.state.as_str(), x.remaining), ("answered", None));
    let t = total(&w).await;
    assert_eq!((t.bad_answered_rate, t.rectified_rate, t.satisfied_rate), (Some(1.0), Some(1.0), None));

    assert!(matches!(ratings::judge(&w.app, &w.li, &n, true).await, Err(AppError::NotFound { .. })));
    let r = ratings::judge(&w.app, &w.zhang, &n, true).await.unwrap();
    assert_eq!(r.rectification.unwrap().satisfied, Some(true));
    assert!(matches!(ratings::judge(&w.app, &w.zhang, &n, false).await, Err(AppError::Conflict { .. })));
    assert_eq!(total(&w).await.satisfied_rate, Some(1.0));
    assert!(ratings::queue(&w.app, &w.approver, true).await.unwrap().is_empty(), "closed");
    // Each step is on the case's chained trail, and so is who was shown the rater's phone.
    let actions: Vec<String> = w.app.store.trail(&n).await.unwrap().into_iter().map(|e| e.action).collect();
    let tail: Vec<&str> = actions.iter().rev().take(5).rev().map(String::as_str).collect();
    assert_eq!(
        tail,
        ["rating", "rater_contact_shown", "rectification_callback", "rectification_answer", "rectification_verdict"]
    );
    assert!(tongban_app::cases::verify_audit(&w.app).await.unwrap().problems.is_empty());
    assert_eq!(ratings::queue(&w.app, &w.approver, false).await.unwrap().len(), 1);

    // Grouped by offering and by month; a bad month is named.
    let by = |by: &str| FigureQuery { by: Some(by.into()), ..Default::default() };
    let f = ratings::figures(&w.app, &by("offering")).await.unwrap();
    assert_eq!(f.lines.iter().map(|l| l.group.as_str()).collect::<Vec<_>>(), [w.code.as_str()]);
    assert_eq!(f.lines[0].name, offering().name, "named");
    let f = ratings::figures(&w.app, &by("month")).await.unwrap();
    assert_eq!(f.lines.len(), 1);
    let bad = FigureQuery { from: Some("2026-13".into()), ..Default::default() };
    assert_eq!(fields(ratings::figures(&w.app, &bad).await.unwrap_err()), ["from"]);
    assert_eq!(fields(ratings::figures(&w.app, &by("person")).await.unwrap_err()), ["by"]);
}

#[tokio::test]
async fn two_ratings_of_one_case_at_once_make_one() {
    let w = world().await;
    let n = concluded(&w).await;
    let (a, b) = tokio::join!(
        ratings::rate(&w.app, &w.zhang, &n, stars(5, "很快")),
        ratings::rate(&w.app, &w.zhang, &n, stars(4, ""))
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);
    assert!(matches!(a.err().or(b.err()), Some(AppError::Conflict { .. })));
    let t = total(&w).await;
    assert_eq!((t.rated, t.good, t.good_rate), (1, 1, Some(1.0)), "counted once");
    // A good review opens no rectification.
    assert!(ratings::of_case(&w.app, &w.zhang, &n).await.unwrap().unwrap().rectification.is_none());
    assert!(ratings::of_case(&w.app, &w.li, &n).await.is_err());
}

#[tokio::test]
async fn a_rating_changes_once_within_its_period_and_its_rectification_follows() {
    let mut w = world().await;
    let n = concluded(&w).await;
    assert!(matches!(ratings::change(&w.app, &w.zhang, &n, stars(4, "")).await, Err(AppError::NotFound { .. })));
    let r = ratings::rate(&w.app, &w.zhang, &n, stars(1, "材料被退回三次")).await.unwrap();
    assert!(r.changeable);
    let x = r.rectification.unwrap();
    let answer = Step::Answer { answer: "已统一材料要求".into() };
    ratings::work(&w.app, &w.approver, &x.rating_id, answer, x.version).await.unwrap();
    assert_eq!(total(&w).await.bad_answered_rate, Some(1.0));

    // Changed to a good review: the rectification is withdrawn and what it counted with it.
    assert!(matches!(ratings::change(&w.app, &w.li, &n, stars(4, "")).await, Err(AppError::NotFound { .. })));
    let r = ratings::change(&w.app, &w.zhang, &n, stars(4, "后来办得很顺利")).await.unwrap();
    assert_eq!((r.level, r.changeable), (4, false));
    assert_eq!(r.rectification.unwrap().state, "withdrawn");
    let t = total(&w).await;
    assert_eq!((t.rated, t.good, t.bad, t.bad_answered_rate, t.good_rate), (1, 1, 0, None, Some(1.0)));
    assert!(ratings::queue(&w.app, &w.approver, true).await.unwrap().is_empty(), "nothing left to rectify");
    let again = ratings::change(&w.app, &w.zhang, &n, stars(5, "")).await;
    assert!(matches!(again, Err(AppError::Conflict { field: "level", .. })), "once");

    // A good review changed to a bad one opens a rectification; past the period nothing changes.
    let m = concluded(&w).await;
    ratings::rate(&w.app, &w.zhang, &m, stars(5, "")).await.unwrap();
    let r = ratings::change(&w.app, &w.zhang, &m, stars(2, "补充：窗口态度差")).await.unwrap();
    assert_eq!(r.rectification.unwrap().state, "open");
    assert_eq!((total(&w).await.good, total(&w).await.bad), (1, 1));
    let k = concluded(&w).await;
    ratings::rate(&w.app, &w.zhang, &k, stars(5, "")).await.unwrap();
    w.app.ratings = std::sync::Arc::new(ratings::Settings { change_days: 0, ..Default::default() });
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let late = ratings::change(&w.app, &w.zhang, &k, stars(1, "晚了"));
    assert!(matches!(late.await, Err(AppError::Conflict { field: "level", .. })), "past the period");
}

#[tokio::test]
async fn an_overdue_rectification_is_escalated_to_the_agency_administrator_once() {
    use tongban_app::staff::{self, NewAssignment};
    let w = world().await;
    let admin = person(&w.app, 7, "督办", "13700000007").await;
    let agency = offering().agency.credit_code;
    let role = NewAssignment {
        person: "13700000007".into(),
        role: "agency_admin".into(),
        agency_code: agency.clone(),
        division_code: "110000".into(),
    };
    staff::assign(&w.app, Some(&w.admin), role).await.unwrap();
    let n = concluded(&w).await;
    let x = ratings::rate(&w.app, &w.zhang, &n, stars(1, "无人接听咨询电话")).await.unwrap().rectification.unwrap();
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 0, "not yet due");
    // Opened long ago: past its five working days.
    let sql = format!("UPDATE rectifications SET opened_on = '2026-01-05' WHERE rating_id = '{}'", x.rating_id);
    assert_eq!(tongban_store::testing::execute_raw(&w.app.store, &sql).await, 1);
    let queue = ratings::queue(&w.app, &admin, true).await.unwrap();
    assert_eq!((queue[0].warning.as_str(), queue[0].remaining.is_some_and(|r| r < 0)), ("red", true));
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 1);
    let messages = w.app.store.messages_of(&admin.person_id, 10).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].title.contains("差评整改超期") && messages[0].title.contains(&n), "{:?}", messages[0]);
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 0, "escalated once");
}

#[tokio::test]
async fn an_agency_appeals_a_bad_review_once_and_an_upheld_appeal_takes_it_out_of_the_figures() {
    let w = world().await;
    let n = concluded(&w).await;
    let x = ratings::rate(&w.app, &w.zhang, &n, stars(1, "乱写的差评")).await.unwrap().rectification.unwrap();
    let answer = Step::Answer { answer: "已核实无此情况".into() };
    let x = ratings::work(&w.app, &w.approver, &x.rating_id, answer, x.version).await.unwrap();
    let t = total(&w).await;
    assert_eq!((t.rated, t.bad, t.bad_answered_rate), (1, 1, Some(1.0)));

    // Only the deciding agency's staff appeal, with a reason, once.
    assert!(matches!(ratings::appeal(&w.app, &w.li, &x.rating_id, "恶意").await, Err(AppError::NotFound { .. })));
    assert_eq!(fields(ratings::appeal(&w.app, &w.window, &x.rating_id, " ").await.unwrap_err()), ["reason"]);
    let a = ratings::appeal(&w.app, &w.window, &x.rating_id, "评价人未办理过该事项，系恶意评价").await.unwrap();
    assert_eq!((a.state.as_str(), a.level), ("pending", 1));
    let again = ratings::appeal(&w.app, &w.approver, &x.rating_id, "再次申诉").await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "once");
    let queued = ratings::queue(&w.app, &w.approver, true).await.unwrap();
    assert_eq!(queued[0].appeal.as_ref().map(|a| a.state.as_str()), Some("pending"));

    // The platform administrator decides, with reasons; nobody else.
    assert!(matches!(ratings::pending_appeals(&w.app, &w.approver).await, Err(AppError::Forbidden)));
    let nope = ratings::decide_appeal(&w.app, &w.approver, &x.rating_id, true, "成立").await;
    assert!(matches!(nope, Err(AppError::Forbidden)));
    assert_eq!(ratings::pending_appeals(&w.app, &w.admin).await.unwrap().len(), 1);
    let blank = ratings::decide_appeal(&w.app, &w.admin, &x.rating_id, true, "").await;
    assert_eq!(fields(blank.unwrap_err()), ["reasons"]);
    let a = ratings::decide_appeal(&w.app, &w.admin, &x.rating_id, true, "经核实，评价人与办件无关").await.unwrap();
    assert_eq!(a.state, "upheld");
    let twice = ratings::decide_appeal(&w.app, &w.admin, &x.rating_id, false, "改判").await;
    assert!(matches!(twice, Err(AppError::Conflict { .. })), "decided once");
    let t = total(&w).await;
    assert_eq!((t.rateable, t.rated, t.bad, t.bad_answered_rate), (1, 0, 0, None), "out of the figures");
    let r = ratings::of_case(&w.app, &w.zhang, &n).await.unwrap().unwrap();
    assert_eq!(r.rectification.as_ref().map(|x| x.state.as_str()), Some("void"));
    let change = ratings::change(&w.app, &w.zhang, &n, stars(2, "不服")).await;
    assert!(matches!(change, Err(AppError::Conflict { .. })), "a rating set aside is not changed back in");
    let told = w.app.store.messages_of(&w.zhang.person_id, 20).await.unwrap();
    assert!(told.iter().any(|m| m.title.contains("不予计入")), "the rater is told");
    assert!(ratings::queue(&w.app, &w.approver, true).await.unwrap().is_empty());
    // Both steps are in the case's chained trail.
    let trail = w.app.store.trail(&n).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.ends_with(&["rating_appeal", "rating_appeal_upheld"]), "{actions:?}");
    assert!(tongban_app::cases::verify_audit(&w.app).await.unwrap().problems.is_empty());

    // A rejected appeal leaves the review counted and its rectification worked.
    let m = concluded(&w).await;
    let y = ratings::rate(&w.app, &w.zhang, &m, stars(2, "太慢")).await.unwrap().rectification.unwrap();
    ratings::appeal(&w.app, &w.window, &y.rating_id, "已按时办结").await.unwrap();
    let a = ratings::decide_appeal(&w.app, &w.admin, &y.rating_id, false, "办理时间确实较长").await.unwrap();
    assert_eq!(a.state, "rejected");
    assert_eq!(total(&w).await.bad, 1);
    let y = &ratings::queue(&w.app, &w.approver, true).await.unwrap()[0];
    assert_eq!((y.state.as_str(), y.appeal.as_ref().map(|a| a.state.as_str())), ("open", Some("rejected")));

    // A review changed to a good one while its appeal waits: nothing to uphold, counted once.
    let k = concluded(&w).await;
    let z = ratings::rate(&w.app, &w.zhang, &k, stars(1, "误点")).await.unwrap().rectification.unwrap();
    ratings::appeal(&w.app, &w.window, &z.rating_id, "评价人误评").await.unwrap();
    ratings::change(&w.app, &w.zhang, &k, stars(5, "点错了")).await.unwrap();
    let t = total(&w).await;
    let late = ratings::decide_appeal(&w.app, &w.admin, &z.rating_id, true, "成立").await;
    assert!(matches!(late, Err(AppError::Conflict { field: "upheld", .. })), "{late:?}");
    let after = total(&w).await;
    assert_eq!((after.rated, after.good, after.bad), (t.rated, t.good, t.bad));
    assert!(tongban_app::cases::verify_audit(&w.app).await.unwrap().problems.is_empty());
}
