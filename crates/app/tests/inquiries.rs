//! Consultations and complaints (咨询投诉举报): routed by case, offering or to the triage,
//! transferred, answered on a clock and rated — by a signed-in person or anonymously with the
//! tracking code — each step in the SM3-chained trail; public answers join the guide.

mod support;

use support::*;
use tongban_app::AppError;
use tongban_app::inquiries::{self, NewInquiry};

fn new(kind: &str, subject: &str, body: &str) -> NewInquiry {
    NewInquiry { kind: kind.into(), subject: subject.into(), body: body.into(), ..Default::default() }
}

const HERE: &str = "192.0.2.1";

#[tokio::test]
async fn a_complaint_about_a_case_is_routed_transferred_answered_and_rated() {
    let w = world().await;
    let n = submitted(&w).await;
    let mut c = new("complaint", "窗口态度", "窗口人员态度生硬<script>alert(1)</script>");
    c.case_number = n.clone();
    // Only one's own case, and only with one's name.
    assert_eq!(fields(inquiries::submit(&w.app, Some(&w.li), c.clone(), HERE).await.unwrap_err()), ["case_number"]);
    let anon = NewInquiry { anonymous: true, ..c.clone() };
    assert_eq!(fields(inquiries::submit(&w.app, Some(&w.zhang), anon, HERE).await.unwrap_err()), ["case_number"]);

    let s = inquiries::submit(&w.app, Some(&w.zhang), c, HERE).await.unwrap();
    let x = s.inquiry;
    assert_eq!(
        (x.state.as_str(), x.remaining, x.anonymous),
        ("open", Some(10), false),
        "ten working days for a complaint"
    );
    assert_eq!(x.agency_code, offering().agency.credit_code, "to the case's deciding agency");
    assert!(matches!(inquiries::get(&w.app, Some(&w.li), &x.number, None).await, Err(AppError::NotFound { .. })));
    let q = inquiries::queue(&w.app, &w.approver, true).await.unwrap();
    assert_eq!(q.iter().map(|i| i.number.as_str()).collect::<Vec<_>>(), [x.number.as_str()]);
    assert!(matches!(inquiries::queue(&w.app, &w.li, true).await, Err(AppError::Forbidden)));

    // Sent to the triage: out of the agency's hands, into the platform administrator's.
    let empty = inquiries::transfer(&w.app, &w.approver, &x.number, "", " ", x.version).await;
    assert_eq!(fields(empty.unwrap_err()), ["reason"]);
    let nowhere = inquiries::transfer(&w.app, &w.approver, &x.number, "NOSUCHAGENCY", "不属本部门", x.version).await;
    assert_eq!(fields(nowhere.unwrap_err()), ["agency_code"]);
    let x = inquiries::transfer(&w.app, &w.approver, &x.number, "", "不属本部门职责", x.version).await.unwrap();
    assert_eq!(x.agency_code, "");
    assert!(inquiries::queue(&w.app, &w.approver, true).await.unwrap().is_empty());
    let lost = inquiries::answer(&w.app, &w.approver, &x.number, "已处理", None, x.version).await;
    assert!(matches!(lost, Err(AppError::NotFound { .. })), "no longer theirs");
    let q = inquiries::queue(&w.app, &w.admin, true).await.unwrap();
    assert_eq!(q.len(), 1);
    let agency = offering().agency.credit_code;
    let x = inquiries::transfer(&w.app, &w.admin, &x.number, &agency, "确属该局窗口", x.version).await.unwrap();

    // Answered on the version read; a public answer only for an inquiry about a service.
    let public = inquiries::answer(&w.app, &w.window, &x.number, "已约谈", Some("窗口态度"), x.version).await;
    assert_eq!(fields(public.unwrap_err()), ["public_question"]);
    let stale = inquiries::answer(&w.app, &w.window, &x.number, "已约谈", None, x.version - 1).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    let early = inquiries::rate(&w.app, Some(&w.zhang), &x.number, None, 5).await;
    assert!(matches!(early, Err(AppError::Conflict { .. })), "nothing to rate before the answer");
    let x = inquiries::answer(&w.app, &w.window, &x.number, "已约谈该窗口人员并致歉", None, x.version).await.unwrap();
    assert_eq!((x.state.as_str(), x.remaining), ("answered", None));
    let again = inquiries::answer(&w.app, &w.window, &x.number, "再答", None, x.version).await;
    assert!(matches!(again, Err(AppError::Conflict { .. })), "answered once");
    let told = w.app.store.messages_of(&w.zhang.person_id, 20).await.unwrap();
    assert!(told.iter().any(|m| m.title.contains(&x.number)), "the person is told");

    assert!(matches!(inquiries::rate(&w.app, Some(&w.li), &x.number, None, 5).await, Err(AppError::NotFound { .. })));
    assert_eq!(fields(inquiries::rate(&w.app, Some(&w.zhang), &x.number, None, 6).await.unwrap_err()), ["level"]);
    let x = inquiries::rate(&w.app, Some(&w.zhang), &x.number, None, 4).await.unwrap();
    assert_eq!((x.state.as_str(), x.rating), ("closed", Some(4)));
    assert!(matches!(
        inquiries::rate(&w.app, Some(&w.zhang), &x.number, None, 5).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        x.steps.iter().map(|s| s.action.as_str()).collect::<Vec<_>>(),
        ["submit", "transfer", "transfer", "answer", "rate"]
    );
    assert_eq!(inquiries::mine(&w.app, &w.zhang).await.unwrap().len(), 1);
    // Every step is in the chained trail, and the trail agrees with the item.
    let report = tongban_app::cases::verify_audit(&w.app).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let sql = format!("UPDATE inquiries SET state = 'open' WHERE number = '{}'", x.number);
    assert_eq!(tongban_store::testing::execute_raw(&w.app.store, &sql).await, 1);
    let problems = tongban_app::cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&x.number)), "{problems:?}");
}

#[tokio::test]
async fn an_anonymous_inquiry_is_followed_with_its_code_and_a_public_answer_joins_the_guide() {
    let w = world().await;
    assert_eq!(fields(inquiries::submit(&w.app, None, new("praise", "a", "b"), HERE).await.unwrap_err()), ["kind"]);
    assert_eq!(fields(inquiries::submit(&w.app, None, new("inquiry", " ", "b"), HERE).await.unwrap_err()), ["subject"]);
    let spoof = new("inquiry", "abc\u{202e}def", "b");
    assert_eq!(fields(inquiries::submit(&w.app, None, spoof, HERE).await.unwrap_err()), ["subject"]);
    let long = new("inquiry", "a", &"字".repeat(2001));
    assert_eq!(fields(inquiries::submit(&w.app, None, long, HERE).await.unwrap_err()), ["body"]);
    let nowhere = NewInquiry { offering_code: "NOSUCH".into(), ..new("inquiry", "a", "b") };
    assert_eq!(fields(inquiries::submit(&w.app, None, nowhere, HERE).await.unwrap_err()), ["offering_code"]);
    let place = NewInquiry { division_code: "999999".into(), ..new("report", "a", "b") };
    assert_eq!(fields(inquiries::submit(&w.app, None, place, HERE).await.unwrap_err()), ["division_code"]);

    let ask = NewInquiry {
        offering_code: w.code.clone(),
        ..new("inquiry", "营业执照要几天", "个体户营业执照多久能拿到？")
    };
    let s = inquiries::submit(&w.app, None, ask, HERE).await.unwrap();
    let (number, code) = (s.inquiry.number.clone(), s.tracking_code.clone());
    assert!(s.inquiry.anonymous && s.inquiry.remaining == Some(5));
    assert!(matches!(inquiries::get(&w.app, None, &number, Some("wrong")).await, Err(AppError::NotFound { .. })));
    assert!(matches!(inquiries::get(&w.app, Some(&w.zhang), &number, None).await, Err(AppError::NotFound { .. })));
    assert!(inquiries::get(&w.app, None, &number, Some(&code)).await.unwrap().yours);
    let staff_view = inquiries::get(&w.app, Some(&w.window), &number, None).await.unwrap();
    assert!(!staff_view.yours, "staff read it, as handlers");

    // Two handlers answering at once: one answer.
    let v = staff_view.version;
    let (a, b) = tokio::join!(
        inquiries::answer(&w.app, &w.window, &number, "一般当场办结", Some("营业执照多久能拿到？"), v),
        inquiries::answer(&w.app, &w.approver, &number, "三个工作日", Some("营业执照多久能拿到？"), v)
    );
    assert_eq!([a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(), 1);
    let faq = inquiries::public_answers(&w.app, &w.code).await.unwrap();
    assert_eq!(faq.len(), 1);
    assert_eq!(faq[0].0, "营业执照多久能拿到？", "the question as the handler worded it");
    assert!(matches!(inquiries::rate(&w.app, None, &number, None, 5).await, Err(AppError::NotFound { .. })));
    let x = inquiries::rate(&w.app, None, &number, Some(&code), 5).await.unwrap();
    assert_eq!(x.state, "closed");
    assert!(tongban_app::cases::verify_audit(&w.app).await.unwrap().problems.is_empty());
}

#[tokio::test]
async fn an_overdue_item_is_escalated_once_and_the_triage_to_the_platform_administrators() {
    let w = world().await;
    let report =
        NewInquiry { division_code: "110101".into(), ..new("report", "违规收费", "某窗口收取材料费") };
    let x = inquiries::submit(&w.app, Some(&w.zhang), report, HERE).await.unwrap().inquiry;
    assert_eq!((x.agency_code.as_str(), x.division_code.as_str(), x.remaining), ("", "110101", Some(15)));
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 0, "not yet due");
    let sql = format!("UPDATE inquiries SET opened_on = '2026-01-05' WHERE number = '{}'", x.number);
    assert_eq!(tongban_store::testing::execute_raw(&w.app.store, &sql).await, 1);
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 1);
    let told = w.app.store.messages_of(&w.admin.person_id, 10).await.unwrap();
    assert!(told.iter().any(|m| m.title.contains("咨询投诉超期") && m.title.contains(&x.number)), "{told:?}");
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 0, "escalated once");
    let q = inquiries::queue(&w.app, &w.admin, true).await.unwrap();
    assert_eq!((q[0].warning.as_str(), q[0].steps.last().map(|s| s.action.as_str())), ("red", Some("escalate")));
}
