//! Electronic licences from the case journey: issued on an approved conclusion, sealed, in the
//! holder's wallet, verified by anyone, revoked by the issuing agency, tampering detected.

mod support;

use support::*;
use tongban_app::AppError;
use tongban_domain::cases::CaseAction;
use tongban_store::testing::execute_raw;

#[tokio::test]
async fn concluding_an_approved_case_issues_a_sealed_licence_anyone_can_verify_until_revoked() {
    use tongban_app::licences;
    use tongban_domain::licences::LicenceStatus;
    let w = world().await;
    let n = submitted(&w).await;
    act(&w, &w.window, &n, CaseAction::Accept).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Pass).await.unwrap();
    act(&w, &w.approver, &n, CaseAction::Approve).await.unwrap();
    assert!(licences::wallet(&w.app, &w.zhang).await.unwrap().is_empty(), "not before the conclusion");
    act(&w, &w.approver, &n, CaseAction::Conclude).await.unwrap();

    let wallet = licences::wallet(&w.app, &w.zhang).await.unwrap();
    assert_eq!(wallet.len(), 1);
    let l = &wallet[0].licence;
    assert_eq!((l.name.as_str(), l.holder_name.as_str(), wallet[0].status.as_str()), ("营业执照", "张三", "01"));
    assert!(tongban_domain::LicenceId::parse(&l.id).is_ok(), "{}", l.id);
    assert_eq!(l.extension["经营场所"], "北京市东城区东华门街道某某胡同 8 号", "answers under their labels");
    assert!(l.extension.get("联系电话").is_none(), "the face does not carry the phone");
    assert!(licences::wallet(&w.app, &w.li).await.unwrap().is_empty());

    let v = licences::verification(&w.app, &l.id).await.unwrap();
    assert!(v.authentic);
    assert_eq!((v.status.as_str(), v.holder_masked.as_str(), v.licence_type.as_str()), ("01", "张*", "营业执照"));
    let exported = licences::export(&w.app, &w.zhang, &l.id).await.unwrap();
    let trust = licences::trust_list(&w.app).await.unwrap();
    assert!(licences::verify_sealed(&exported, &trust).is_ok());
    assert!(matches!(licences::export(&w.app, &w.li, &l.id).await, Err(AppError::NotFound { .. })));
    assert!(matches!(licences::verification(&w.app, "1.2.156.3005.2.X").await, Err(AppError::NotFound { .. })));

    // Revocation: not by window staff; by the issuing agency's approver, with a reason.
    let revoke = |who| licences::change_status(&w.app, who, &l.id, LicenceStatus::Revoked, "以欺骗手段取得");
    assert!(matches!(revoke(&w.window).await, Err(AppError::Forbidden)));
    let v = revoke(&w.approver).await.unwrap();
    assert_eq!((v.status.as_str(), v.status_name.as_str(), v.authentic), ("07", "吊销", true));
    assert!(matches!(revoke(&w.approver).await, Err(AppError::Conflict { .. })), "revoked once");

    // A licence altered in storage is no longer authentic.
    let sql = format!("UPDATE licences SET sealed = replace(sealed, '张三', '李四') WHERE id = '{}'", l.id);
    assert_eq!(execute_raw(&w.app.store, &sql).await, 1);
    assert!(!licences::verification(&w.app, &l.id).await.unwrap().authentic);
}
