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
    assert_eq!((v.status.as_str(), v.licence_type.as_str()), ("01", "营业执照"));
    // The 营业执照 registers the new 个体工商户: a credit code issued by 东城区's market regulator
    // (92: 市场监管, 个体工商户) is its number and its holder's code, public on the verification.
    let code = tongban_domain::codes::CreditCode::parse(&l.number).expect("the number is a credit code");
    assert!(l.number.starts_with("92110101") && code.organization_code_warning().is_none(), "{}", l.number);
    assert_ne!(l.number, n, "not the case number");
    assert_eq!((l.holder_code.as_str(), l.holder_code_type.as_str()), (l.number.as_str(), "001"));
    assert_eq!((v.number.as_str(), v.holder.as_str()), (l.number.as_str(), "张三"), "without a name: its operator's");
    assert_eq!(v.holder_credit_code.as_deref(), Some(l.number.as_str()));
    assert!(v.checked_at.ends_with("+08:00"), "China time: {}", v.checked_at);
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

    // Sealed again with a key of the writer's own, slipped into the database as the agency's: the
    // key file does not open it, so it is on no trust list and seals nothing authentic.
    use tongban_crypto::seal::{Signer, SoftwareSeal};
    let forger = SoftwareSeal::generate("forged-1").unwrap();
    let row = tongban_store::licences::SealKeyRow {
        key_id: "forged-1".into(),
        agency_code: support::offering().agency.credit_code,
        agency_name: "伪造".into(),
        public_key: forger.public_key(),
        secret_sealed: "forged".into(),
        created_at: chrono::Utc::now(),
        retired_at: None,
    };
    w.app.store.insert_seal_key(row).await.unwrap();
    let forged = serde_json::to_string(&licences::seal_licence(&forger, exported.licence.clone()).unwrap()).unwrap();
    let sql = format!("UPDATE licences SET sealed = '{forged}' WHERE id = '{}'", l.id);
    assert_eq!(execute_raw(&w.app.store, &sql).await, 1);
    assert!(!licences::verification(&w.app, &l.id).await.unwrap().authentic);
    assert!(!licences::trust_list(&w.app).await.unwrap().keys.iter().any(|k| k.key_id == "forged-1"));

    // A licence altered in storage is no longer authentic.
    let sql = format!("UPDATE licences SET sealed = replace(sealed, '张三', '李四') WHERE id = '{}'", l.id);
    assert_eq!(execute_raw(&w.app.store, &sql).await, 1);
    assert!(!licences::verification(&w.app, &l.id).await.unwrap().authentic);
}

/// 用证: a later application whose guide needs the 营业执照 is submitted without uploading it; the
/// agency reads the annotated copy, checked; the holder sees the use; no one else uses or reads it.
#[tokio::test]
async fn a_later_application_uses_the_licence_instead_of_a_material() {
    use tongban_app::cases;
    use tongban_app::licences::{self, uses};
    use tongban_domain::catalog::{Material, MaterialForm, MaterialSource, Original};
    use tongban_domain::licences::LicenceStatus;
    let w = world().await;
    let first = submitted(&w).await;
    for (who, action) in [
        (&w.window, CaseAction::Accept),
        (&w.approver, CaseAction::Pass),
        (&w.approver, CaseAction::Approve),
        (&w.approver, CaseAction::Conclude),
    ] {
        act(&w, who, &first, action).await.unwrap();
    }
    let licence = licences::wallet(&w.app, &w.zhang).await.unwrap()[0].licence.clone();

    // A later service of the same agency whose guide needs the 营业执照.
    const NEEDED: &str = "营业执照";
    let mut o = offering();
    o.offering_code = format!("{}999", &o.offering_code[..o.offering_code.len() - 3]);
    o.name = "食品经营许可（仅销售预包装食品）备案".into();
    o.materials.push(Material {
        name: NEEDED.into(),
        original: Original::Original,
        copies: 1,
        form: MaterialForm::Electronic,
        required: true,
        condition: None,
        source: MaterialSource::Licence { licence_type: "营业执照".into() },
    });
    o.result.kind = "document".into();
    tongban_app::catalog::publish(&w.app, &o, "test").await.unwrap();
    let a = cases::start(&w.app, &w.zhang, &o.offering_code).await.unwrap();
    let a = cases::save(&w.app, &w.zhang, &a.id, complete()).await.unwrap();
    upload_premises(&w, &w.zhang, &a.id).await;

    // Found for the applicant; the material is missing until it is used (or a scan uploaded).
    let need = a.materials.iter().find(|m| m.name == NEEDED).unwrap();
    assert_eq!(need.choices.iter().map(|c| c.licence_id.as_str()).collect::<Vec<_>>(), [licence.id.as_str()]);
    assert_eq!(fields(cases::submit(&w.app, &w.zhang, &a.id, None, "r").await.unwrap_err()), ["materials"]);
    let theirs = cases::start(&w.app, &w.li, &o.offering_code).await.unwrap();
    assert!(theirs.materials.iter().all(|m| m.choices.is_empty()), "李四 holds no 营业执照");
    let err = uses::authorize(&w.app, &w.li, &theirs.id, NEEDED, &licence.id).await.unwrap_err();
    assert_eq!(fields(err), ["licence_id"], "another's licence");
    let err = uses::authorize(&w.app, &w.zhang, &a.id, PREMISES, &licence.id).await.unwrap_err();
    assert_eq!(fields(err), ["material"], "a material no licence provides");

    let used = uses::authorize(&w.app, &w.zhang, &a.id, NEEDED, &licence.id).await.unwrap();
    assert_eq!(used.use_reason, "办理“食品经营许可（仅销售预包装食品）备案”");
    let number = cases::submit(&w.app, &w.zhang, &a.id, None, "r").await.unwrap().case_number;
    let (view, _) = cases::case_application(&w.app, &w.window, &number).await.unwrap();
    let need = view.materials.iter().find(|m| m.name == NEEDED).unwrap();
    assert!(need.files.is_empty() && need.licence_use.as_ref().is_some_and(|u| u.id == used.id));

    // The agency reads the annotated copy, checked; a stranger cannot.
    let (copy, check) = uses::annotated_copy(&w.app, &w.window, &used.id).await.unwrap();
    assert!(check.authentic && !check.expired && check.licence_status == "01", "{check:?}");
    let stamped = chrono::DateTime::parse_from_rfc3339(&copy.annotation.annotated_at).unwrap();
    assert_eq!(stamped.offset().local_minus_utc(), 8 * 3600, "China time");
    assert!(stamped.timestamp() >= used.used_at.timestamp(), "the copy is made anew at submission");
    assert_eq!(
        (copy.licence.licence.id.as_str(), copy.annotation.use_reason.as_str()),
        (licence.id.as_str(), used.use_reason.as_str())
    );
    assert_eq!(copy.annotation.using_agency_code, o.agency.credit_code);
    assert!(matches!(uses::annotated_copy(&w.app, &w.li, &used.id).await, Err(AppError::NotFound { .. })));
    let trust = licences::trust_list(&w.app).await.unwrap();
    assert!(uses::check_copy(&copy, &trust.keys, &trust.root_public_key).is_ok());
    let mut longer = copy.clone();
    longer.annotation.expires_at = "2099-01-01T00:00:00Z".into();
    assert!(uses::check_copy(&longer, &trust.keys, &trust.root_public_key).unwrap_err().contains("altered"));
    let mut other = copy.clone();
    other.licence.licence.holder_name = "李四".into();
    assert!(uses::check_copy(&other, &trust.keys, &trust.root_public_key).is_err());

    // The holder sees the use with its case; it counts as a material saved.
    let seen = uses::uses_of_licence(&w.app, &w.zhang, &licence.id).await.unwrap();
    assert_eq!((seen.len(), seen[0].case_number.as_deref()), (1, Some(number.as_str())));
    assert!(uses::uses_of_licence(&w.app, &w.li, &licence.id).await.is_err());
    assert_eq!(uses::materials_saved(&w.app, Some(&o.offering_code)).await.unwrap(), 1);
    assert_eq!(uses::materials_saved(&w.app, Some(&w.code)).await.unwrap(), 0);

    // A use is withdrawn from a draft; a revoked licence can no longer be used, and its copy says so.
    let b = cases::start(&w.app, &w.zhang, &o.offering_code).await.unwrap();
    let again = uses::authorize(&w.app, &w.zhang, &b.id, NEEDED, &licence.id).await.unwrap();
    assert!(uses::withdraw(&w.app, &w.zhang, &a.id, &used.id).await.is_err(), "submitted");
    uses::withdraw(&w.app, &w.zhang, &b.id, &again.id).await.unwrap();
    assert!(
        cases::get_application(&w.app, &w.zhang, &b.id)
            .await
            .unwrap()
            .materials
            .iter()
            .all(|m| m.licence_use.is_none())
    );
    // A draft that used the licence before its revocation cannot be submitted with it.
    let c = cases::start(&w.app, &w.zhang, &o.offering_code).await.unwrap();
    cases::save(&w.app, &w.zhang, &c.id, complete()).await.unwrap();
    upload_premises(&w, &w.zhang, &c.id).await;
    uses::authorize(&w.app, &w.zhang, &c.id, NEEDED, &licence.id).await.unwrap();
    licences::change_status(&w.app, &w.approver, &licence.id, LicenceStatus::Revoked, "以欺骗手段取得").await.unwrap();
    let err = cases::submit(&w.app, &w.zhang, &c.id, None, "r").await.unwrap_err();
    assert!(
        matches!(&err, AppError::Validation { fields } if fields["materials"].contains("吊销") && fields["materials"].contains(NEEDED)),
        "{err:?}"
    );
    let err = uses::authorize(&w.app, &w.zhang, &b.id, NEEDED, &licence.id).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict { field: "licence_id", .. }), "{err:?}");
    assert_eq!(uses::annotated_copy(&w.app, &w.window, &used.id).await.unwrap().1.licence_status, "07");
    let history = licences::history(&w.app, &w.zhang, &licence.id).await.unwrap();
    assert_eq!(history.iter().map(|e| e.status.as_str()).collect::<Vec<_>>(), ["01", "07"]);
}

/// Administrators issue directly and import a file with a report of the refused lines; a licence
/// reaches a holder who registers later; renewal makes a linked new version; the status list is
/// signed and names what is not valid.
#[tokio::test]
async fn administrators_issue_import_and_renew_and_the_status_list_is_signed() {
    use tongban_app::identity::{self, Client};
    use tongban_app::licences::{self, issue};
    use tongban_domain::licences::{LicenceStatus, NewLicence};
    let w = world().await;
    let admin =
        identity::login(&w.app, "13700000003", "Tongban-2026", None, &Client::default()).await.unwrap().principal;
    let agency = offering().agency;
    // Holders by the sequence of their citizen id: 张三 1, 李四 2, 王九 9.
    let new = |number: &str, seq: u32| NewLicence {
        type_name: "食品经营许可证".into(),
        issuer_code: agency.credit_code.clone(),
        issuer_name: agency.name.clone(),
        number: number.into(),
        holder_name: match seq {
            1 => "张三",
            2 => "李四",
            _ => "王九",
        }
        .into(),
        holder_code: citizen_id(seq),
        division_code: "110101".into(),
        issued_on: None,
        valid_from: None,
        valid_to: None,
        item_name: String::new(),
        item_code: String::new(),
        extension: serde_json::Map::new(),
    };
    let err = issue::issue(&w.app, &w.window, new("JY11101010000001", 1)).await.unwrap_err();
    assert!(matches!(err, AppError::Forbidden), "window staff do not issue");
    assert_eq!(fields(issue::issue(&w.app, &admin, new("JY-1", 1)).await.unwrap_err()), ["number"]);
    let mut bad = new("JY2", 1);
    bad.holder_code = "110101199003070012".into();
    assert_eq!(fields(issue::issue(&w.app, &admin, bad).await.unwrap_err()), ["holder_code"]);
    let mut ahead = new("JY4", 1);
    ahead.issued_on = Some(tongban_domain::calendar::china_today() + chrono::Duration::days(1));
    assert_eq!(fields(issue::issue(&w.app, &admin, ahead).await.unwrap_err()), ["issued_on"], "never issued ahead");
    let mut misnamed = new("JY3", 1);
    misnamed.issuer_name = "公安部".into();
    assert_eq!(
        fields(issue::issue(&w.app, &admin, misnamed).await.unwrap_err()),
        ["issuer_name"],
        "the catalog's name"
    );

    let mut lower = new("jy11101010000001", 1);
    lower.issuer_code = agency.credit_code.to_lowercase();
    let id = issue::issue(&w.app, &admin, lower).await.unwrap();
    assert!(id.contains(&format!(".{}.JY11101010000001.", agency.credit_code)), "codes kept normalized: {id}");
    let wallet = licences::wallet(&w.app, &w.zhang).await.unwrap();
    let l = &wallet.iter().find(|e| e.licence.id == id).expect("in 张三's wallet").licence;
    let today = tongban_domain::calendar::china_today();
    assert_eq!(l.valid_to, today.checked_add_months(chrono::Months::new(60)), "five years by its type");

    // Issued to a citizen without an account: it reaches their wallet once they have one and their
    // real name is verified as the holder's.
    let later = issue::issue(&w.app, &admin, new("JY11101010000002", 9)).await.unwrap();
    let newcomer = person(&w.app, 9, "王九", "13800000009").await;
    assert!(licences::wallet(&w.app, &newcomer).await.unwrap().is_empty(), "not before the real name is verified");
    identity::import_registry(&w.app, &format!("王九,{}", citizen_id(9))).await.unwrap();
    let newcomer = verified(&w.app, &newcomer).await;
    let held: Vec<String> =
        licences::wallet(&w.app, &newcomer).await.unwrap().into_iter().map(|e| e.licence.id).collect();
    assert_eq!(held, std::slice::from_ref(&later));

    // A file: one issued, one already issued, one of an unknown type, one not JSON.
    let line = |n: NewLicence| serde_json::to_string(&n).unwrap();
    let mut unknown = new("JY11101010000004", 2);
    unknown.type_name = "游泳证".into();
    let file = [line(new("JY11101010000003", 2)), line(new("JY11101010000001", 1)), line(unknown), "{not json".into()]
        .join("\n");
    let report = issue::import(&w.app, &admin, &file).await.unwrap();
    assert_eq!(report.issued.len(), 1);
    assert_eq!(report.rejected.keys().copied().collect::<Vec<_>>(), [2, 3, 4]);
    assert!(
        report.rejected[&2].contains("已签发")
            && report.rejected[&3].contains("type_name")
            && report.rejected[&4].contains("JSON"),
        "{report:?}"
    );

    // Renewal: a new version linked to its predecessor, which is no longer valid.
    let renewed = issue::renew(&w.app, &w.approver, &id, None, "有效期届满前申请延续").await.unwrap();
    assert!(renewed.contains(".JY11101010000001.002."), "{renewed}");
    let wallet = licences::wallet(&w.app, &w.zhang).await.unwrap();
    let v2 = &wallet.iter().find(|e| e.licence.id == renewed).unwrap().licence;
    assert_eq!((v2.version, v2.predecessor.as_deref()), (2, Some(id.as_str())));
    assert_eq!(licences::verification(&w.app, &id).await.unwrap().status, "05");
    assert!(
        issue::renew(&w.app, &w.approver, &id, None, "再次").await.is_err(),
        "a renewed version is not renewed again"
    );
    let history = licences::history(&w.app, &w.zhang, &id).await.unwrap();
    assert_eq!(history.iter().map(|e| e.operation.as_str()).collect::<Vec<_>>(), ["01", "02"]);

    // The status list names what is not valid, signed by the root key of the trust list.
    licences::change_status(&w.app, &w.approver, &renewed, LicenceStatus::Suspended, "责令停业整顿").await.unwrap();
    let (list, trust) = (licences::status_list(&w.app).await.unwrap(), licences::trust_list(&w.app).await.unwrap());
    assert!(licences::status_list_signed(&list, &trust));
    assert_eq!(
        (list.status_of(&renewed), list.status_of(&id), list.status_of(&later)),
        (LicenceStatus::Suspended, LicenceStatus::Expired, LicenceStatus::Valid)
    );
    let mut forged = list.clone();
    forged.entries.retain(|e| e.licence_id != renewed);
    assert!(!licences::status_list_signed(&forged, &trust));

    // A legacy licence whose validity has ended is marked 04 过期失效 by the sweep.
    let mut legacy = new("JY11101010000006", 1);
    legacy.valid_from = chrono::NaiveDate::from_ymd_opt(2018, 1, 1);
    legacy.valid_to = chrono::NaiveDate::from_ymd_opt(2023, 1, 1);
    let legacy = issue::issue(&w.app, &admin, legacy).await.unwrap();
    assert_eq!(licences::expire_ended(&w.app).await.unwrap(), 1);
    assert_eq!(licences::expire_ended(&w.app).await.unwrap(), 0, "once");
    let history = licences::history(&w.app, &w.zhang, &legacy).await.unwrap();
    assert_eq!(
        history.iter().map(|e| (e.operation.as_str(), e.status.as_str())).collect::<Vec<_>>(),
        [("01", "01"), ("04", "05")]
    );

    // Key rotation: what the old key sealed still verifies; new licences carry the new key.
    let rotated = licences::rotate_seal(&w.app, &agency.credit_code).await.unwrap();
    assert_eq!(rotated, format!("{}-2", agency.credit_code));
    assert!(licences::verification(&w.app, &later).await.unwrap().authentic);
    let after = issue::issue(&w.app, &admin, new("JY11101010000005", 2)).await.unwrap();
    assert_eq!(licences::export(&w.app, &w.li, &after).await.unwrap().seal.key_id, rotated);
    let trust = licences::trust_list(&w.app).await.unwrap();
    assert_eq!(trust.keys.iter().filter(|k| k.agency_code == agency.credit_code).count(), 2);
    assert!(licences::verify_sealed(&licences::export(&w.app, &w.zhang, &renewed).await.unwrap(), &trust).is_ok());
    // The retired key, if it leaked, seals nothing dated after its retirement: the trust list
    // says when it was retired, and a licence it sealed with a later date fails there and here.
    let old = trust.keys.iter().find(|k| k.key_id == format!("{}-1", agency.credit_code)).unwrap();
    assert!(old.retired_at.is_some() && trust.keys.iter().filter(|k| k.retired_at.is_none()).count() >= 1);
    let row = w.app.store.seal_key_by_id(&old.key_id).await.unwrap().unwrap();
    let secret = w.app.vault.open("seal.key", &row.secret_sealed).unwrap();
    let leaked = tongban_crypto::seal::SoftwareSeal::from_secret_hex(&old.key_id, &secret).unwrap();
    let mut dated_after = licences::export(&w.app, &w.li, &after).await.unwrap().licence;
    dated_after.issued_on = tongban_domain::calendar::china_today() + chrono::Duration::days(1);
    let forged = licences::seal_licence(&leaked, dated_after).unwrap();
    assert!(licences::verify_sealed(&forged, &trust).unwrap_err().contains("retired"));

    // Every event is in the licence's trail: an expired licence set valid again behind the
    // platform's back no longer agrees with it.
    let clean = tongban_app::cases::verify_audit(&w.app).await.unwrap();
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    let sql = format!("UPDATE licences SET status = '01' WHERE id = '{legacy}'");
    assert_eq!(execute_raw(&w.app.store, &sql).await, 1);
    let report = tongban_app::cases::verify_audit(&w.app).await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains(&legacy) && p.contains("证照")), "{:?}", report.problems);
}

/// A licence whose issue fails after the conclusion is not forgotten: the case says it is pending,
/// and the sweep issues it once the cause is gone.
#[tokio::test]
async fn a_licence_that_failed_to_issue_is_pending_and_issued_later() {
    use tongban_app::{cases, licences};
    let w = world().await;
    let agency = support::offering().agency.credit_code;
    // The agency's seal key cannot be opened (its secret damaged): issuing fails.
    let broken = format!(
        "INSERT INTO seal_keys (key_id, agency_code, agency_name, public_key, secret_sealed, created_at) \
         VALUES ('{agency}-1', '{agency}', 'x', 'x', 'not sealed', '2026-01-01 00:00:00+00:00')"
    );
    assert_eq!(execute_raw(&w.app.store, &broken).await, 1);
    let n = submitted(&w).await;
    for (who, action) in
        [(&w.window, CaseAction::Accept), (&w.approver, CaseAction::Pass), (&w.approver, CaseAction::Approve)]
    {
        act(&w, who, &n, action).await.unwrap();
    }
    let concluded = act(&w, &w.approver, &n, CaseAction::Conclude).await.unwrap();
    assert!(concluded.licence_pending, "the conclusion stands; the licence is pending");
    assert!(licences::wallet(&w.app, &w.zhang).await.unwrap().is_empty());
    assert!(cases::get_case(&w.app, &w.zhang, &n).await.unwrap().licence_pending);
    assert_eq!(licences::issue_all_due(&w.app).await.unwrap(), (0, 1), "still failing");

    execute_raw(&w.app.store, &format!("DELETE FROM seal_keys WHERE key_id = '{agency}-1'")).await;
    assert_eq!(licences::issue_all_due(&w.app).await.unwrap(), (1, 0));
    assert_eq!(licences::wallet(&w.app, &w.zhang).await.unwrap().len(), 1);
    assert!(!cases::get_case(&w.app, &w.zhang, &n).await.unwrap().licence_pending);
    assert_eq!(licences::issue_all_due(&w.app).await.unwrap(), (0, 0), "issued once");
}
