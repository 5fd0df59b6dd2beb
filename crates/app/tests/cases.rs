//! Applications and cases on the backend `TEST_DATABASE_URL` selects: the journey of a
//! 个体工商户设立登记 from a pre-filled form to delivery, submission once, who may see and do
//! what, the clock standing still during a supplement, and the audit chain catching tampering.

use serde_json::json;
use tongban_app::AppError;
use tongban_app::cases::{self, QueueRequest};
use tongban_app::identity::{self, Client};
use tongban_app::materials;
use tongban_app::staff::{self, NewAssignment};
use tongban_crypto::seal::{Signer, SoftwareSeal};
use tongban_domain::cases::{CaseAction, CaseState, Delivery};
use tongban_domain::forms::PrefillSource;
use tongban_store::testing::execute_raw;

mod support;

use support::*;

#[tokio::test]
async fn the_journey_from_a_prefilled_form_to_delivery() {
    let w = world().await;
    let a = cases::start(&w.app, &w.zhang, &w.code).await.unwrap();
    assert_eq!(a.data["operator_name"], "张三");
    assert_eq!(a.data["phone"], "13812345678");
    assert_eq!(a.prefilled["operator_name"], PrefillSource::PersonName);
    assert!(a.errors.contains_key("address"), "{:?}", a.errors);

    // Family operation needs the members; the hidden field is dropped for individual operation.
    let mut data = complete();
    data.insert("organization_form".into(), json!("家庭经营"));
    let saved = cases::save(&w.app, &w.zhang, &a.id, data).await.unwrap();
    assert_eq!(saved.errors.keys().collect::<Vec<_>>(), ["family_members", "materials"]);
    assert_eq!(
        fields(cases::submit(&w.app, &w.zhang, &a.id, None, "r").await.unwrap_err()),
        ["family_members", "materials"]
    );
    let mut data = complete();
    data.insert("family_members".into(), json!("李某"));
    data.insert("operator_name".into(), json!("张三丰"));
    let saved = cases::save(&w.app, &w.zhang, &a.id, data).await.unwrap();
    assert!(!saved.data.contains_key("family_members"), "hidden answers are not kept");
    assert!(!saved.prefilled.contains_key("operator_name"), "a corrected value is the applicant's own");
    assert_eq!(saved.errors.keys().collect::<Vec<_>>(), ["materials"], "the premises document is still missing");
    assert_eq!(fields(cases::submit(&w.app, &w.zhang, &a.id, None, "r").await.unwrap_err()), ["materials"]);
    upload_premises(&w, &w.zhang, &a.id).await;
    let saved = cases::get_application(&w.app, &w.zhang, &a.id).await.unwrap();
    assert!(saved.errors.is_empty(), "{:?}", saved.errors);

    let receipt = cases::submit(&w.app, &w.zhang, &a.id, Some("key-1"), "req-1").await.unwrap();
    assert!(receipt.created);
    assert_eq!(receipt.case_number.len(), 23);
    assert!(receipt.case_number.starts_with("110101"));
    let again = cases::submit(&w.app, &w.zhang, &a.id, Some("key-1"), "req-2").await.unwrap();
    assert_eq!((again.case_number.as_str(), again.created), (receipt.case_number.as_str(), false));
    assert!(matches!(cases::save(&w.app, &w.zhang, &a.id, complete()).await, Err(AppError::Conflict { .. })));
    let n = receipt.case_number;

    // The window accepts; the approver passes the first step and asks for a supplement.
    let v = act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    assert_eq!((v.state, v.step.as_str()), (CaseState::UnderReview, "审核"));
    let clock = v.clock.unwrap();
    assert_eq!(clock.limit, 1);
    let v = act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    assert_eq!(v.step, "登记决定");
    let missing = vec!["经营场所使用证明".to_owned(), "经营范围表述不规范".to_owned()];
    let v = act(&w, &w.approver, &n, CaseAction::RequestSupplement { missing: missing.clone() }).await.unwrap();
    assert_eq!(v.state, CaseState::SupplementRequested);
    assert!(v.clock.unwrap().paused);
    let seen = cases::get_case(&w.app, &w.zhang, &n).await.unwrap();
    assert_eq!(seen.supplement.as_deref(), Some(missing.as_slice()), "the applicant sees the whole notice");
    let v = act(&w, &w.zhang, &n, CaseAction::Supplement).await.unwrap();
    assert_eq!((v.state, v.step.as_str()), (CaseState::UnderReview, "登记决定"));
    assert!(!v.clock.unwrap().paused);
    act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Conclude).await.unwrap();
    let v = act(&w, &w.window, &n, CaseAction::Deliver(Delivery::Online)).await.unwrap();
    assert_eq!(v.state, CaseState::Delivered);

    let trail = cases::trail(&w.app, &w.zhang, &n).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["submit", "accept", "pass", "request_supplement", "supplement", "approve", "conclude", "deliver"]
    );
    assert_eq!(trail[1].summary, "工作人员受理，办件办理中");
    assert_eq!(trail[3].detail["missing"], json!(missing));
    assert_eq!(trail[3].detail["comment"], "意见");
    let messages = w.app.store.messages_of(&w.zhang.person_id, 50).await.unwrap();
    assert_eq!(messages.len(), 8, "a receipt, one message per staff action and one of the licence issued");
    let report = cases::verify_audit(&w.app).await.unwrap();
    // The case's eight steps, and the licence it issued with its own trail of one.
    assert_eq!((report.entries, report.cases, report.problems.len()), (9, 2, 0), "{:?}", report.problems);
}

#[tokio::test]
async fn who_may_see_and_do_what() {
    let w = world().await;
    let n = submitted(&w).await;
    let not_found = |r: Result<cases::CaseView, AppError>| matches!(r, Err(AppError::NotFound { .. }));

    // Another citizen: the case does not exist for him, nor the application.
    assert!(not_found(cases::get_case(&w.app, &w.li, &n).await));
    assert!(not_found(act(&w, &w.li, &n, CaseAction::Withdraw).await));
    assert!(matches!(cases::trail(&w.app, &w.li, &n).await, Err(AppError::NotFound { .. })));
    assert!(cases::my_cases(&w.app, &w.li).await.unwrap().is_empty());

    // Staff act only in their role and on their side.
    assert!(cases::get_case(&w.app, &w.approver, &n).await.is_ok(), "the deciding agency reads it");
    assert!(matches!(act(&w, &w.approver, &n, CaseAction::Accept).await, Err(AppError::Forbidden)));
    assert!(matches!(act(&w, &w.zhang, &n, CaseAction::Accept).await, Err(AppError::Forbidden)));
    assert!(matches!(act(&w, &w.window, &n, CaseAction::Supplement).await, Err(AppError::Forbidden)));
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    assert!(matches!(act(&w, &w.window, &n, CaseAction::Approve).await, Err(AppError::Forbidden)));
    // Impossible transitions are conflicts, whoever asks.
    assert!(matches!(act(&w, &w.window, &n, CaseAction::Accept).await, Err(AppError::Conflict { .. })));
    assert!(matches!(act(&w, &w.approver, &n, CaseAction::Approve).await, Err(AppError::Conflict { .. })));
    // Only a special procedure of the guide stops the clock; this guide declares none.
    let hearing = CaseAction::StartProcedure { name: "听证".into() };
    assert_eq!(fields(act(&w, &w.approver, &n, hearing).await.unwrap_err()), ["name"]);
    // A stale version is refused.
    let stale = cases::act(&w.app, &w.approver, &n, CaseAction::Pass, None, Some(1), "r").await;
    assert!(matches!(stale, Err(AppError::Conflict { field: "version", .. })));
    // A refusal needs its reason and legal basis, named.
    let bad = act(&w, &w.approver, &n, CaseAction::Deny { reason: "".into(), legal_basis: "x".into() }).await;
    assert_eq!(fields(bad.unwrap_err()), ["reason"]);
    let long = "长".repeat(600);
    let bad = cases::act(
        &w.app,
        &w.approver,
        &n,
        CaseAction::Deny { reason: "".into(), legal_basis: " ".into() },
        Some(long),
        None,
        "r",
    )
    .await;
    assert_eq!(fields(bad.unwrap_err()), ["comment", "legal_basis", "reason"], "every error at once");

    // The approver's queue at his city covers the county's case; the citizen has no queue.
    let q = QueueRequest {
        agency: offering().agency.credit_code,
        division: "110100".into(),
        limit: 20,
        ..Default::default()
    };
    let page = cases::queue(&w.app, &w.approver, &q).await.unwrap();
    assert_eq!(page.iter().map(|c| c.case_number.as_str()).collect::<Vec<_>>(), [n.as_str()]);
    assert!(matches!(cases::queue(&w.app, &w.zhang, &q).await, Err(AppError::Forbidden)));
    let elsewhere = QueueRequest { division: "110000".into(), ..q.clone() };
    assert!(matches!(cases::queue(&w.app, &w.approver, &elsewhere).await, Err(AppError::Forbidden)));

    // Claiming: one holder at a time, released only by the holder; the applicant cannot claim.
    let v = cases::claim(&w.app, &w.window, &n, true, "r").await.unwrap();
    assert_eq!(v.claimed_by.as_deref(), Some(w.window.person_id.as_str()));
    assert!(matches!(cases::claim(&w.app, &w.approver, &n, true, "r").await, Err(AppError::Conflict { .. })));
    assert!(matches!(cases::claim(&w.app, &w.approver, &n, false, "r").await, Err(AppError::Conflict { .. })));
    assert!(matches!(cases::claim(&w.app, &w.zhang, &n, true, "r").await, Err(AppError::Forbidden)));
    assert!(matches!(cases::claim(&w.app, &w.li, &n, true, "r").await, Err(AppError::NotFound { .. })));
    let mine = QueueRequest { division: "110101".into(), mine: true, ..q.clone() };
    assert!(cases::queue(&w.app, &w.approver, &mine).await.unwrap().is_empty(), "not the approver's claim");
    cases::claim(&w.app, &w.window, &n, false, "r").await.unwrap();
    cases::claim(&w.app, &w.approver, &n, true, "r").await.unwrap();
    assert_eq!(cases::queue(&w.app, &w.approver, &mine).await.unwrap().len(), 1);
    let actions: Vec<String> =
        cases::trail(&w.app, &w.zhang, &n).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions[2..], ["claim", "release", "claim"]);
    assert!(cases::verify_audit(&w.app).await.unwrap().problems.is_empty());

    // The applicant withdraws before the decision; then nothing more.
    let v = act(&w, &w.zhang, &n, CaseAction::Withdraw).await.unwrap();
    assert_eq!(v.state, CaseState::Withdrawn);
    assert!(matches!(act(&w, &w.approver, &n, CaseAction::Pass).await, Err(AppError::Conflict { .. })));
}

#[tokio::test]
async fn submission_needs_a_real_name_and_a_double_click_makes_one_case() {
    let w = world().await;
    let l1 = person(&w.app, 6, "王五", "13600000006").await;
    let a = cases::start(&w.app, &l1, &w.code).await.unwrap();
    cases::save(&w.app, &l1, &a.id, complete()).await.unwrap();
    assert!(matches!(cases::submit(&w.app, &l1, &a.id, None, "r").await, Err(AppError::AssuranceRequired { .. })));

    let a = cases::start(&w.app, &w.zhang, &w.code).await.unwrap();
    cases::save(&w.app, &w.zhang, &a.id, complete()).await.unwrap();
    upload_premises(&w, &w.zhang, &a.id).await;
    let (x, y) = tokio::join!(
        cases::submit(&w.app, &w.zhang, &a.id, Some("k"), "r1"),
        cases::submit(&w.app, &w.zhang, &a.id, Some("k"), "r2")
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.case_number, y.case_number);
    assert_eq!(u8::from(x.created) + u8::from(y.created), 1);
    assert_eq!(cases::my_cases(&w.app, &w.zhang).await.unwrap().len(), 1);

    // The next application reuses what was typed before.
    let b = cases::start(&w.app, &w.zhang, &w.code).await.unwrap();
    assert_eq!(b.data["address"], complete()["address"]);
    assert_eq!(b.prefilled["address"], PrefillSource::Earlier);
    assert!(matches!(cases::get_application(&w.app, &w.li, &b.id).await, Err(AppError::NotFound { .. })));
    assert_eq!(
        fields(cases::start(&w.app, &w.zhang, "nope").await.unwrap_err()),
        ["offering_code"],
        "an unknown offering is named"
    );
}

#[tokio::test]
async fn the_audit_chain_names_an_edited_or_deleted_entry() {
    let w = world().await;
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    let other = submitted(&w).await;
    assert!(cases::verify_audit(&w.app).await.unwrap().problems.is_empty());

    // An edited comment.
    let edited = execute_raw(
        &w.app.store,
        &format!("UPDATE case_trail SET detail = '{{\"action\":\"accept\"}}' WHERE case_number = '{n}' AND seq = 2"),
    )
    .await;
    assert_eq!(edited, 1);
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&n) && p.contains("第 2 条") && p.contains("changed")), "{problems:?}");

    // A case row deleted behind the platform's back.
    let third = submitted(&w).await;
    let refusal = CaseAction::Refuse {
        reason: "不属于本机关职权".into(),
        legal_basis: "《行政许可法》第三十二条".into(),
    };
    act(&w, &w.window, &third, refusal).await.unwrap();
    let trail = cases::trail(&w.app, &w.zhang, &third).await.unwrap();
    assert_eq!(
        trail[1].summary, "工作人员不予受理，办件不予受理",
        "an action with a comment still reads in plain words"
    );
    execute_raw(&w.app.store, &format!("DELETE FROM cases WHERE case_number = '{third}'")).await;
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&third) && p.contains("case row was deleted")), "{problems:?}");

    // The last entry of another case deleted, leaving a consistent-looking case chain.
    execute_raw(&w.app.store, &format!("DELETE FROM case_trail WHERE case_number = '{other}'")).await;
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&other) && p.contains("deleted")), "{problems:?}");

    // A case moved on without an action.
    execute_raw(&w.app.store, &format!("UPDATE cases SET state = 'approved' WHERE case_number = '{n}'")).await;
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.iter().any(|p| p.contains(&n) && p.contains("differs from its trail")), "{problems:?}");
}

/// Whoever can write to the database can rebuild the chains after cutting history short; a head
/// signed with the platform's key, which the database does not hold, gives it away.
#[tokio::test]
async fn a_signed_head_shows_history_cut_short_behind_a_rebuilt_chain() {
    let w = world().await;
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    let last = submitted(&w).await;
    let signed = cases::seal_audit_head(&w.app).await.unwrap().expect("the head is signed");
    assert_eq!(cases::seal_audit_head(&w.app).await.unwrap(), None, "an unmoved head is not signed again");
    let r = cases::verify_audit(&w.app).await.unwrap();
    let head = r.signed_head.as_ref().map(|h| h.seq);
    assert_eq!((head, r.last_link, r.problems.len()), (Some(signed), signed, 0), "{:?}", r.problems);

    // The last case taken out, its trail and links with it, and the head moved back: every chain
    // is consistent again.
    for sql in [
        format!("DELETE FROM audit_chain WHERE case_number = '{last}'"),
        format!("DELETE FROM case_trail WHERE case_number = '{last}'"),
        format!("DELETE FROM cases WHERE case_number = '{last}'"),
        "UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_chain), \
         hash = (SELECT hash FROM audit_chain WHERE seq = (SELECT max(seq) FROM audit_chain)) WHERE id = 1"
            .to_owned(),
    ] {
        execute_raw(&w.app.store, &sql).await;
    }
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(&format!("link {signed}")) && problems[0].contains("deleted"), "{problems:?}");

    // The signed head moved back with it: its signature no longer holds.
    let sql = "UPDATE audit_seals SET seq = (SELECT seq FROM audit_head), hash = (SELECT hash FROM audit_head)";
    execute_raw(&w.app.store, sql).await;
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.len() == 1 && problems[0].contains("does not verify"), "{problems:?}");

    // Signed again with a key of the writer's own, slipped in as a retired platform key: the key
    // is not one the key file opens, so it is unknown.
    let forger = SoftwareSeal::generate("platform-9").unwrap();
    let row = tongban_store::licences::SealKeyRow {
        key_id: "platform-9".into(),
        agency_code: "platform".into(),
        agency_name: "一体化政务服务平台".into(),
        public_key: forger.public_key(),
        secret_sealed: "forged".into(),
        created_at: chrono::Utc::now(),
        retired_at: Some(chrono::Utc::now()),
    };
    w.app.store.insert_seal_key(row).await.unwrap();
    let (seq, hash) = w.app.store.audit_head().await.unwrap();
    let signature = forger.sign(&tongban_store::audit::seal_message(seq, &hash)).unwrap();
    execute_raw(&w.app.store, &format!("UPDATE audit_seals SET key_id = 'platform-9', signature = '{signature}'"))
        .await;
    let problems = cases::verify_audit(&w.app).await.unwrap().problems;
    assert!(problems.len() == 1 && problems[0].contains("unknown key"), "{problems:?}");

    // Every case, trail and link gone, and the head emptied: a signed head still names the cut.
    execute_raw(&w.app.store, "DELETE FROM audit_seals").await;
    let signed = cases::seal_audit_head(&w.app).await.unwrap().expect("the head is signed");
    for table in ["audit_chain", "case_trail", "cases"] {
        execute_raw(&w.app.store, &format!("DELETE FROM {table}")).await;
    }
    execute_raw(&w.app.store, "UPDATE audit_head SET seq = 0, hash = '' WHERE id = 1").await;
    let r = cases::verify_audit(&w.app).await.unwrap();
    assert!(r.problems.len() == 1 && r.problems[0].contains(&format!("link {signed}")), "{:?}", r.problems);
    assert!(r.problems[0].contains("deleted") && r.signed_head.is_none());
}

#[tokio::test]
async fn supervision_turns_an_overdue_case_red_and_tells_the_agency_administrator() {
    let w = world().await;
    let admin_phone = "13700000007";
    let agency_admin = person(&w.app, 7, "督办", admin_phone).await;
    let platform = person(&w.app, 8, "平台", "13700000008").await;
    let assign = |who: &str, role: &str, agency: &str, division: &str| NewAssignment {
        person: who.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    };
    staff::assign(&w.app, None, assign("13700000008", "platform_admin", "", "")).await.unwrap();
    let platform = identity::rotate_session(&w.app, &platform, &Client::default()).await.unwrap().principal;
    let agency = offering().agency.credit_code;
    staff::assign(&w.app, Some(&platform), assign(admin_phone, "agency_admin", &agency, "110000")).await.unwrap();
    let again = staff::assign(&w.app, Some(&platform), assign(admin_phone, "agency_admin", &agency, "110000")).await;
    assert!(matches!(again, Err(AppError::Conflict { field: "role", .. })), "the same role at the same place once");

    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().changed, 0, "nothing to change yet");
    // Accepted long ago with a limit of one working day: overdue.
    execute_raw(&w.app.store, &format!("UPDATE cases SET accepted_on = '2026-01-05' WHERE case_number = '{n}'")).await;
    let s = tongban_app::supervision::sweep(&w.app).await.unwrap();
    assert_eq!((s.changed, s.turned_red), (1, 1), "{s:?}");
    let case = w.app.store.case(&n).await.unwrap().unwrap();
    assert_eq!((case.warning.as_str(), case.due.map(|d| d.to_string())), ("red", Some("2026-01-06".into())));
    let messages = w.app.store.messages_of(&agency_admin.person_id, 10).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].title.contains(&n), "{:?}", messages[0]);
    assert_eq!(tongban_app::supervision::sweep(&w.app).await.unwrap().turned_red, 0, "escalated once");
    let board = tongban_app::supervision::board(&w.app, &agency_admin, &agency, "110000").await.unwrap();
    assert_eq!((board.green, board.yellow, board.red), (0, 0, 1));
    assert!(matches!(
        tongban_app::supervision::board(&w.app, &w.zhang, &agency, "110000").await,
        Err(AppError::Forbidden)
    ));
    let q = QueueRequest {
        agency,
        division: "110101".into(),
        warning: Some(tongban_domain::cases::Warning::Red),
        limit: 20,
        ..Default::default()
    };
    assert_eq!(cases::queue(&w.app, &w.approver, &q).await.unwrap().len(), 1, "the red filter finds it");
}

#[tokio::test]
async fn materials_are_checked_by_content_scanned_and_read_only_by_those_who_may() {
    let w = world().await;
    let a = cases::start(&w.app, &w.zhang, &w.code).await.unwrap();
    let up = |material: &'static str, name: &'static str, bytes: &'static [u8]| {
        materials::upload(&w.app, &w.zhang, &a.id, material, name, bytes::Bytes::from_static(bytes))
    };
    let field_of = |r: Result<materials::FileView, AppError>| fields(r.unwrap_err());
    assert_eq!(field_of(up(PREMISES, "合同.pdf", b"MZ\x90\x00 an executable").await), ["file"], "sniffed, not named");
    match up(PREMISES, "合同.pdf", materials_eicar()).await {
        Err(AppError::Validation { fields }) => assert!(fields["file"].contains("病毒"), "{fields:?}"),
        other => panic!("the scan hook must refuse it: {other:?}"),
    }
    assert_eq!(field_of(up("经营者身份证明", "身份证.jpg", b"\xFF\xD8\xFF\xE0").await), ["material"], "from a licence");
    assert_eq!(field_of(up("营业执照", "x.pdf", b"%PDF-1.4").await), ["material"], "not in the guide");
    let photo = up(PREMISES, "C:\\扫描\\场所照片.png", b"\x89PNG\r\n\x1a\n....").await.unwrap();
    assert_eq!((photo.file_name.as_str(), photo.content_type.as_str()), ("场所照片.png", "image/png"));
    assert!(matches!(materials::download(&w.app, &w.li, &a.id, &photo.id).await, Err(AppError::NotFound { .. })));
    assert!(
        matches!(materials::download(&w.app, &w.approver, &a.id, &photo.id).await, Err(AppError::NotFound { .. })),
        "staff see files of submitted cases only"
    );
    let (_, bytes) = materials::download(&w.app, &w.zhang, &a.id, &photo.id).await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    materials::remove(&w.app, &w.zhang, &a.id, &photo.id).await.unwrap();
    let view = cases::get_application(&w.app, &w.zhang, &a.id).await.unwrap();
    let premises = view.materials.iter().find(|m| m.name == PREMISES).unwrap();
    assert!(premises.files.is_empty());
    assert_eq!(
        view.materials.iter().filter(|m| m.source == "applicant").count(),
        2,
        "the premises and the proxy's papers"
    );

    cases::save(&w.app, &w.zhang, &a.id, complete()).await.unwrap();
    upload_premises(&w, &w.zhang, &a.id).await;
    let n = cases::submit(&w.app, &w.zhang, &a.id, None, "r").await.unwrap().case_number;
    let file = cases::get_application(&w.app, &w.zhang, &a.id)
        .await
        .unwrap()
        .materials
        .into_iter()
        .find(|m| m.name == PREMISES)
        .unwrap()
        .files
        .remove(0);
    let (_, bytes) = materials::download(&w.app, &w.window, &a.id, &file.id).await.unwrap();
    assert!(bytes.starts_with(b"%PDF"), "the receiving window reads the case's files");
    assert!(matches!(materials::download(&w.app, &w.li, &a.id, &file.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(materials::remove(&w.app, &w.zhang, &a.id, &file.id).await, Err(AppError::Conflict { .. })));
    let _ = n;
}

/// The EICAR test signature inside an otherwise acceptable PDF.
fn materials_eicar() -> &'static [u8] {
    Box::leak([b"%PDF-1.4\n".as_slice(), tongban_domain::materials::EICAR].concat().into_boxed_slice())
}

#[tokio::test]
async fn a_window_applies_for_a_walk_in_applicant_even_for_another_region() {
    let w = world().await;
    // A window in Shanghai (异地代收) for a Beijing service.
    let remote = person(&w.app, 9, "上海窗口", "13700000009").await;
    let platform = person(&w.app, 8, "平台", "13700000008").await;
    let assign = |who: &str, role: &str, agency: &str, division: &str| NewAssignment {
        person: who.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    };
    staff::assign(&w.app, None, assign("13700000008", "platform_admin", "", "")).await.unwrap();
    let platform = identity::rotate_session(&w.app, &platform, &Client::default()).await.unwrap().principal;
    let shanghai = "11310000000000018L";
    let shanghai = format!("{}{}", &shanghai[..17], tongban_domain::codes::credit_code_check_char(&shanghai[..17]));
    staff::assign(&w.app, Some(&platform), assign("13700000009", "window_staff", &shanghai, "310104")).await.unwrap();

    let wrong = cases::start_for(&w.app, &remote, "13912345678", &citizen_id(1), &w.code).await.unwrap_err();
    assert_eq!(fields(wrong), ["card_number"], "the card shown must be the applicant's");
    assert!(matches!(
        cases::start_for(&w.app, &w.approver, "13912345678", &citizen_id(2), &w.code).await,
        Err(AppError::Forbidden)
    ));
    let a = cases::start_for(&w.app, &remote, "13912345678", &citizen_id(2), &w.code).await.unwrap();
    assert_eq!(a.data["operator_name"], "李四", "filled from the applicant's account, not the staff member's");
    assert!(cases::get_application(&w.app, &w.zhang, &a.id).await.is_err());
    cases::save(&w.app, &remote, &a.id, complete()).await.unwrap();
    upload_premises(&w, &remote, &a.id).await;
    let n = cases::submit(&w.app, &remote, &a.id, None, "r").await.unwrap().case_number;

    assert!(cases::save(&w.app, &remote, &a.id, complete()).await.is_err(), "the draft is the window's no more");
    let v = cases::get_case(&w.app, &w.li, &n).await.unwrap();
    assert_eq!((v.receiving_agency.as_str(), v.receiving_division.as_str()), (shanghai.as_str(), "310104"));
    assert_eq!(v.deciding_division, "110101");
    assert!(n.starts_with("310104"), "numbered by the receiving division");
    assert_eq!(cases::my_cases(&w.app, &w.li).await.unwrap().len(), 1, "the applicant's case like an online one");
    let trail = cases::trail(&w.app, &w.li, &n).await.unwrap();
    assert_eq!(trail[0].actor_role, "staff");
    // The receiving window accepts; the Beijing window cannot (not its case's receiving side).
    assert!(matches!(
        act(&w, &w.window, &n, CaseAction::Accept).await,
        Err(AppError::NotFound { .. } | AppError::Forbidden)
    ));
    act(&w, &remote, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    let who = identity::login(&w.app, "13912345678", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    assert_eq!(who.assurance, tongban_domain::identity::Assurance::L4, "checked in person: level 4");
}

#[tokio::test]
async fn queues_put_cases_not_yet_accepted_first_and_page_through_all() {
    let w = world().await;
    let accepted = submitted(&w).await;
    let waiting = submitted(&w).await;
    act(&w, &w.window, &accepted, CaseAction::Accept).await.unwrap();
    let q = QueueRequest {
        agency: offering().agency.credit_code,
        division: "110100".into(),
        limit: 1,
        ..Default::default()
    };
    let first = cases::queue(&w.app, &w.approver, &q).await.unwrap();
    assert_eq!(first[0].case_number, waiting, "undated first, on SQLite and PostgreSQL alike");
    let next = QueueRequest { after: Some(waiting.clone()), ..q };
    let second = cases::queue(&w.app, &w.approver, &next).await.unwrap();
    assert_eq!(second.iter().map(|c| c.case_number.as_str()).collect::<Vec<_>>(), [accepted.as_str()]);
}

#[tokio::test]
async fn staff_recuse_themselves_from_their_own_application() {
    let w = world().await;
    // The approver applies for themselves.
    let approver = verified(&w.app, &w.approver).await;
    let a = cases::start(&w.app, &approver, &w.code).await.unwrap();
    cases::save(&w.app, &approver, &a.id, complete()).await.unwrap();
    upload_premises(&w, &approver, &a.id).await;
    let own = cases::submit(&w.app, &approver, &a.id, None, "r").await.unwrap().case_number;
    act(&w, &w.window, &own, CaseAction::Accept).await.unwrap();
    let refused = act(&w, &approver, &own, CaseAction::Pass).await.unwrap_err();
    assert!(matches!(&refused, AppError::Conflict { message, .. } if message.contains("回避")), "{refused:?}");
    assert!(matches!(cases::claim(&w.app, &approver, &own, true, "r").await, Err(AppError::Conflict { .. })));
}

#[tokio::test]
async fn staff_find_the_cases_they_may_read_and_list_those_they_handled() {
    let w = world().await;
    let n = submitted(&w).await;
    let numbers = |v: Vec<cases::CaseView>| v.into_iter().map(|c| c.case_number).collect::<Vec<_>>();
    // By part of its number, or by the service's name; the window and the deciding agency alike.
    assert_eq!(numbers(cases::find_cases(&w.app, &w.window, &n[8..]).await.unwrap()), [n.as_str()]);
    assert_eq!(numbers(cases::find_cases(&w.app, &w.approver, "个体工商户").await.unwrap()), [n.as_str()]);
    assert_eq!(fields(cases::find_cases(&w.app, &w.window, "%_").await.unwrap_err()), ["find"], "no wildcards");
    // Not a citizen, not staff of another division.
    assert!(matches!(cases::find_cases(&w.app, &w.zhang, &n).await, Err(AppError::Forbidden)));
    let elsewhere = NewAssignment {
        person: "13912345678".into(),
        role: "approver".into(),
        agency_code: "11110000000000019K".into(),
        division_code: "110102".into(),
    };
    staff::assign(&w.app, Some(&w.admin), elsewhere).await.unwrap();
    assert!(cases::find_cases(&w.app, &w.li, &n).await.unwrap().is_empty(), "another agency does not read it");

    // 已办: the cases one acted on, the latest first.
    assert!(cases::done_by(&w.app, &w.window).await.unwrap().is_empty());
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    let other = submitted(&w).await;
    act(&w, &w.window, &other, CaseAction::Accept).await.unwrap();
    assert_eq!(numbers(cases::done_by(&w.app, &w.window).await.unwrap()), [other.clone(), n.clone()]);
    assert!(cases::done_by(&w.app, &w.approver).await.unwrap().is_empty());
    assert!(cases::done_by(&w.app, &w.li).await.unwrap().is_empty());
}

#[tokio::test]
async fn roles_are_assigned_by_the_agencys_name_and_a_division_within_it() {
    let w = world().await;
    let o = offering();
    let by_name = |division: &str| NewAssignment {
        person: "13912345678".into(),
        role: "auditor".into(),
        agency_code: o.agency.name.clone(),
        division_code: division.into(),
    };
    // Left empty, the agency's own division; a division named within it; a code.
    let a = staff::assign(&w.app, Some(&w.admin), by_name("")).await.unwrap();
    assert_eq!(
        (a.agency_code.as_str(), a.division_code.as_str()),
        (o.agency.credit_code.as_str(), o.agency.division_code.as_str())
    );
    let unknown = NewAssignment { agency_code: "没有这个局".into(), ..by_name("") };
    let e = staff::assign(&w.app, Some(&w.admin), unknown).await.unwrap_err();
    assert_eq!(fields(e), ["agency_code"]);
    let e = staff::assign(&w.app, Some(&w.admin), by_name("上海市")).await.unwrap_err();
    assert_eq!(fields(e), ["division_code"], "a division outside the agency's is not found by name");
    let e = staff::assign(&w.app, Some(&w.admin), by_name("310115")).await.unwrap_err();
    assert_eq!(fields(e), ["division_code"], "nor by its code");
}
