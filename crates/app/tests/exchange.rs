//! Data sharing and exchange: a steward registers a resource, another agency requests it, the
//! review and the provider decide on working-day clocks, a department system queries it through
//! the gateway for a case — only granted items, only about the case's applicant, within its quota
//! — revocation bites on the next call, upstream failures answer 502/504, and the call log's
//! chain and seals verify and show tampering.

mod support;

use serde_json::json;
use std::sync::Arc;
use support::*;
use tongban_app::access::Principal;
use tongban_app::exchange::gateway::{self, Query, Refusal};
use tongban_app::exchange::{self, catalog, log, requests};
use tongban_app::identity::{self, Client};
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, AppError};
use tongban_domain::exchange::{
    Builtin, DataItem, Decision, Provider, RequestState, Resource, Sensitivity, SharingClass,
};
use tongban_store::testing::execute_raw;

/// 北京市公安局东城分局 provides; 东城区市场监督管理局 (the demo offering's agency) consumes.
const PROVIDER: &str = "111101015425293395";
const CONSUMER: &str = "1111010143783071XP";

struct Sharing {
    w: World,
    provider: Principal,
    consumer: Principal,
}

async fn steward(w: &World, seq: u32, phone: &str, agency: &str) -> Principal {
    let p = person(&w.app, seq, &format!("数据员{seq}"), phone).await;
    let a = NewAssignment {
        person: phone.into(),
        role: "data_steward".into(),
        agency_code: agency.into(),
        division_code: "110101".into(),
    };
    staff::assign(&w.app, Some(&w.admin), a).await.unwrap();
    identity::rotate_session(&w.app, &p, &Client::default()).await.unwrap().principal
}

async fn sharing() -> Sharing {
    let w = world().await;
    let provider = steward(&w, 6, "13700000006", PROVIDER).await;
    let consumer = steward(&w, 7, "13700000007", CONSUMER).await;
    Sharing { w, provider, consumer }
}

fn item(name: &str, label: &str, kind: &str, sensitivity: Sensitivity) -> DataItem {
    DataItem { name: name.into(), label: label.into(), kind: kind.into(), sensitivity }
}

fn population(sharing: SharingClass) -> Resource {
    Resource {
        identifier: "110101-GA-RK-0001".into(),
        name: "人口基本信息核验".into(),
        summary: "核验公民姓名与公民身份号码是否一致、是否在册".into(),
        agency_code: PROVIDER.into(),
        classification: "基础信息资源/人口".into(),
        items: vec![
            item("registered", "是否在册", "boolean", Sensitivity::Personal),
            item("name_matches", "姓名是否一致", "boolean", Sensitivity::Personal),
        ],
        sharing,
        sharing_condition: "仅用于办理申请人本人的政务服务事项".into(),
        open_class: "closed".into(),
        update_cycle: "实时".into(),
        format: "JSON".into(),
        provider: Some(Provider::Builtin { source: Builtin::Population }),
        subject: None,
    }
}

/// The housing register: personal items answered by a department system (its URL set by the test).
fn housing() -> Resource {
    let mut r = population(SharingClass::Unconditional);
    r.identifier = "110101-GA-FC-0001".into();
    r.name = "房产登记信息".into();
    r.items = vec![
        item("address", "房屋坐落", "string", Sensitivity::Personal),
        item("owner", "权利人", "string", Sensitivity::Personal),
    ];
    r.subject = Some("id_number".into());
    r
}

fn new_request(resource: &str, code: &str, items: &[&str], quota: u32) -> requests::NewRequest {
    requests::NewRequest {
        resource: resource.into(),
        consumer_agency: CONSUMER.into(),
        purpose: "个体工商户登记时核验经营者身份".into(),
        legal_basis: "《促进个体工商户发展条例》".into(),
        offerings: vec![code.into()],
        items: items.iter().map(|s| s.to_string()).collect(),
        quota_per_day: quota,
        expires_on: tongban_domain::calendar::china_today() + chrono::Days::new(365),
    }
}

fn verdict(decision: Decision, reasons: &str, quota: Option<u32>) -> requests::Verdict {
    requests::Verdict { decision, reasons: reasons.into(), quota_per_day: quota, expected_version: None }
}

/// Registers and publishes `r`, has the consumer request it and both stages approve: the grant.
async fn granted(s: &Sharing, r: Resource, items: &[&str], quota: u32) -> String {
    let id = r.identifier.clone();
    let v = catalog::save(&s.w.app, &s.provider, r, None).await.unwrap();
    catalog::publish(&s.w.app, &s.provider, &id, v.version).await.unwrap();
    let req = requests::request(&s.w.app, &s.consumer, new_request(&id, &s.w.code, items, quota), "r").await.unwrap();
    let mut v =
        requests::decide(&s.w.app, &s.w.admin, &req.id, verdict(Decision::Approve, "", None), "r").await.unwrap();
    if v.state == RequestState::ProviderReply {
        v = requests::decide(&s.w.app, &s.provider, &req.id, verdict(Decision::Approve, "", None), "r").await.unwrap();
    }
    assert_eq!(v.state, RequestState::Granted);
    v.id
}

/// A token for a new system of the consuming agency.
async fn system_token(app: &App, who: &Principal) -> String {
    let sys = exchange::register_system(app, who, CONSUMER, "市场监管登记系统").await.unwrap();
    let t = tongban_app::oidc::client_credentials(app, "http://tb", &sys.client_id, &sys.client_secret, None)
        .await
        .map_err(|_| "token")
        .unwrap();
    t.access_token
}

fn refusal<T: std::fmt::Debug>(r: Result<T, Refusal>) -> (u16, &'static str, Option<String>) {
    let e = r.unwrap_err();
    (e.status, e.code, e.field)
}

#[tokio::test]
async fn a_conditional_request_passes_review_and_the_provider_on_working_day_clocks() {
    let s = sharing().await;
    let app = &s.w.app;
    let r = population(SharingClass::Conditional);
    let id = r.identifier.clone();

    // The consumer's steward cannot register the provider's resource; the provider's can.
    assert!(matches!(catalog::save(app, &s.consumer, r.clone(), None).await, Err(AppError::Forbidden)));
    let v = catalog::save(app, &s.provider, r.clone(), None).await.unwrap();
    assert_eq!((v.version, v.published_version), (1, None));
    assert!(matches!(catalog::save(app, &s.provider, r.clone(), None).await, Err(AppError::Conflict { .. })));
    // Unpublished: not requestable, not seen by others.
    let e = requests::request(app, &s.consumer, new_request(&id, &s.w.code, &["registered"], 10), "r").await;
    assert_eq!(fields(e.unwrap_err()), ["resource"]);
    assert!(catalog::list(app, &s.consumer, "").await.unwrap().is_empty());
    catalog::publish(app, &s.provider, &id, 1).await.unwrap();
    let found = catalog::list(app, &s.consumer, "人口 核验").await.unwrap();
    assert_eq!(found.iter().map(|v| v.resource.identifier.as_str()).collect::<Vec<_>>(), [id.as_str()]);
    assert!(catalog::list(app, &s.consumer, "不动产").await.unwrap().is_empty());

    // Bad requests name every field.
    let mut bad = new_request(&id, &s.w.code, &["photo"], 0);
    bad.purpose = "x".into();
    let e = requests::request(app, &s.consumer, bad, "r").await.unwrap_err();
    assert_eq!(fields(e), ["items", "purpose", "quota_per_day"]);

    let req = requests::request(app, &s.consumer, new_request(&id, &s.w.code, &["registered"], 10), "r").await.unwrap();
    assert_eq!(req.state, RequestState::Review);
    let clock = req.clock.unwrap();
    assert_eq!((clock.limit, clock.used), (2, 0), "the conformity review: 2 working days");
    // Only the data authority reviews.
    let e = requests::decide(app, &s.provider, &req.id, verdict(Decision::Approve, "", None), "r").await;
    assert!(matches!(e, Err(AppError::Forbidden)));
    let v = requests::decide(app, &s.w.admin, &req.id, verdict(Decision::Approve, "", None), "r").await.unwrap();
    assert_eq!((v.state, v.clock.unwrap().limit), (RequestState::ProviderReply, 5), "provider reply: 5 days");
    // Overdue: red on the lists, escalated once to the data authority (a trail step, a message).
    assert_eq!(requests::escalate_overdue(app).await.unwrap(), 0, "not yet due");
    let overdue = format!("UPDATE data_requests SET stage_from = '2026-01-05' WHERE id = '{}'", req.id);
    execute_raw(&app.store, &overdue).await;
    assert_eq!(tongban_app::supervision::sweep(app).await.unwrap().turned_red, 1);
    let listed = requests::list(app, &s.w.admin, &[RequestState::ProviderReply]).await.unwrap();
    assert_eq!(listed[0].clock.as_ref().unwrap().warning, tongban_domain::cases::Warning::Red);
    let messages = app.store.messages_of(&s.w.admin.person_id, 10).await.unwrap();
    assert!(messages.iter().any(|m| m.title.contains(&req.id)), "{messages:?}");
    assert_eq!(tongban_app::supervision::sweep(app).await.unwrap().turned_red, 0, "escalated once");
    // A refusal gives reasons.
    let e = requests::decide(app, &s.provider, &req.id, verdict(Decision::Refuse, " ", None), "r").await.unwrap_err();
    assert_eq!(fields(e), ["reasons"]);
    let e = requests::decide(app, &s.consumer, &req.id, verdict(Decision::Approve, "", None), "r").await;
    assert!(matches!(e, Err(AppError::Forbidden)), "the consumer does not grant itself");
    let e =
        requests::decide(app, &s.provider, &req.id, verdict(Decision::Approve, "", Some(0)), "r").await.unwrap_err();
    assert_eq!(fields(e), ["quota_per_day"]);
    let v = requests::decide(app, &s.provider, &req.id, verdict(Decision::Approve, "", Some(5)), "r").await.unwrap();
    assert_eq!((v.state, v.quota_per_day), (RequestState::Granted, 5), "the provider grants 5 calls a day");
    assert!(v.clock.is_none());
    let e = requests::decide(app, &s.provider, &req.id, verdict(Decision::Approve, "", None), "r").await;
    assert!(matches!(e, Err(AppError::Conflict { .. })), "decided once");
    assert_eq!(
        v.trail.iter().map(|t| (t.action.as_str(), t.after_state.as_str())).collect::<Vec<_>>(),
        [("request", "review"), ("approve", "provider_reply"), ("escalate", "provider_reply"), ("approve", "granted")]
    );
    // Each side's steward and the authority see it; a stranger's staff does not.
    assert_eq!(requests::list(app, &s.provider, &[]).await.unwrap().len(), 1);
    assert_eq!(requests::list(app, &s.w.admin, &[RequestState::Granted]).await.unwrap().len(), 1);
    assert!(matches!(requests::view(app, &s.w.window, &req.id).await, Err(AppError::Forbidden)));
    // The trail is chained and anchored with the cases'.
    let report = tongban_app::cases::verify_audit(app).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    execute_raw(&app.store, &format!("UPDATE data_requests SET state = 'review' WHERE id = '{}'", req.id)).await;
    let report = tongban_app::cases::verify_audit(app).await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains(&req.id)), "{:?}", report.problems);
}

#[tokio::test]
async fn a_not_shared_resource_is_refused_at_once_with_its_legal_basis() {
    let s = sharing().await;
    let mut r = population(SharingClass::NotShared);
    r.sharing_condition = "《中华人民共和国居民身份证法》第六条".into();
    let id = r.identifier.clone();
    catalog::save(&s.w.app, &s.provider, r, None).await.unwrap();
    catalog::publish(&s.w.app, &s.provider, &id, 1).await.unwrap();
    let v =
        requests::request(&s.w.app, &s.consumer, new_request(&id, &s.w.code, &["registered"], 1), "r").await.unwrap();
    assert_eq!(v.state, RequestState::Refused);
    assert!(v.reasons.contains("居民身份证法"), "{}", v.reasons);
}

#[tokio::test]
async fn the_gateway_answers_granted_items_about_the_cases_applicant_within_quota_until_revoked() {
    let s = sharing().await;
    let app = &s.w.app;
    let grant = granted(&s, population(SharingClass::Unconditional), &["registered"], 3).await;
    let token = system_token(app, &s.consumer).await;
    let case = submitted(&s.w).await;
    let id = "110101-GA-RK-0001";
    let q = |params: serde_json::Value, case: Option<&str>, items: Option<Vec<&str>>| Query {
        case_number: case.map(str::to_owned),
        params: params.as_object().cloned().unwrap(),
        items: items.map(|v| v.into_iter().map(str::to_owned).collect()),
    };
    let zhang = json!({ "id_number": citizen_id(1), "name": "张三" });

    // Only granted items: name_matches is dropped.
    let a = gateway::query(app, &token, id, q(zhang.clone(), Some(&case), None)).await.unwrap();
    assert_eq!(a.data, json!({ "registered": true }));
    assert_eq!((a.grant.as_str(), a.call.seq), (grant.as_str(), 1));
    // The log keeps keyed digests: hashing every candidate id number finds nothing.
    let asked = json!({ "case_number": case, "items": null, "params": zhang, "resource": id }).to_string();
    let logged = app.store.calls(1, 1, 1).await.unwrap().remove(0);
    assert_ne!(logged.request_sm3, tongban_crypto::sm3_hex(asked.as_bytes()));
    assert_eq!(logged.request_sm3, app.vault.blind_index(gateway::REQUEST_DIGEST, &asked));
    assert_eq!(logged.response_sm3, app.vault.blind_index(gateway::RESPONSE_DIGEST, &a.data.to_string()));
    // Asking for an item not granted names it.
    let e = gateway::query(app, &token, id, q(zhang.clone(), Some(&case), Some(vec!["name_matches"]))).await;
    assert_eq!(refusal(e), (403, "item_not_granted", Some("name_matches".into())));
    // Personal data needs the case, and the case's applicant as the subject.
    assert_eq!(refusal(gateway::query(app, &token, id, q(zhang.clone(), None, None)).await).0, 400);
    let li = json!({ "id_number": citizen_id(2) });
    let e = gateway::query(app, &token, id, q(li, Some(&case), None)).await;
    assert_eq!(refusal(e), (403, "not_the_subject", Some("id_number".into())));
    let e = gateway::query(app, &token, id, q(zhang.clone(), Some("TB0000"), None)).await;
    assert_eq!(refusal(e).1, "purpose_mismatch");
    // Unknown resource, bad token.
    assert_eq!(refusal(gateway::query(app, &token, "nope", q(zhang.clone(), Some(&case), None)).await).0, 404);
    assert_eq!(refusal(gateway::query(app, "x.y.z", id, q(zhang.clone(), Some(&case), None)).await).0, 401);

    // The quota: 3 a day; refused calls did not count.
    gateway::query(app, &token, id, q(zhang.clone(), Some(&case), None)).await.unwrap();
    gateway::query(app, &token, id, q(zhang.clone(), Some(&case), None)).await.unwrap();
    let e = gateway::query(app, &token, id, q(zhang.clone(), Some(&case), None)).await.unwrap_err();
    assert_eq!((e.status, e.code), (429, "quota_exceeded"));
    assert!(e.retry_after.is_some_and(|s| s > 0 && s <= 86_400));

    // Revoked: the next call is refused.
    requests::revoke(app, &s.provider, &grant, "用途已变更，停止共享", "r").await.unwrap();
    let e = gateway::query(app, &token, id, q(zhang.clone(), Some(&case), None)).await;
    assert_eq!(refusal(e).1, "grant_required");

    // Every call past the token is in the log, chained; sealing signs it; tampering shows.
    let report = log::verify(app).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.calls, report.unsealed), (10, 10));
    // Monitoring: the same figures from the calls not yet sealed and, once sealed, from the
    // figures the sealer folded them into; the provider's steward sees them, no other staff.
    let today = tongban_domain::calendar::china_today();
    let figures = |m: exchange::monitor::Monitoring| {
        m.figures.iter().map(|f| (f.resource.clone(), f.calls, f.errors, f.quota_used, f.quota)).collect::<Vec<_>>()
    };
    let unsealed = figures(exchange::monitor::day(app, &s.provider, today).await.unwrap());
    // 10 calls: 3 answered (the quota), 6 refused on this resource, 1 on an unknown one.
    assert_eq!(unsealed, [("110101-GA-RK-0001".into(), 9, 6, 3, Some(3))], "{unsealed:?}");
    assert!(matches!(exchange::monitor::day(app, &s.w.window, today).await, Err(AppError::Forbidden)));
    assert_eq!(log::seal_due(app).await.unwrap(), 1);
    let sealed = exchange::monitor::day(app, &s.provider, today).await.unwrap();
    assert_eq!(figures(sealed.clone()), unsealed, "folded by the sealer");
    assert!(sealed.figures[0].p99_ms >= sealed.figures[0].p50_ms);
    assert_eq!(sealed.latest.len(), 9, "the provider's steward sees its resource's calls");
    let report = log::verify(app).await.unwrap();
    assert_eq!((report.calls, report.seals, report.unsealed), (10, 1, 0), "{:?}", report.problems);
    let seg = log::export(app, 1, 1, 10).await.unwrap();
    let offline: log::Segment = serde_json::from_str(&serde_json::to_string(&seg).unwrap()).unwrap();
    assert!(log::verify_segment(&offline).ok());
    let mut forged = offline.clone();
    forged.calls[3].status = 200;
    assert!(!log::verify_segment(&forged).ok());
    execute_raw(&app.store, "UPDATE exchange_log SET code = 'ok' WHERE seq = 2").await;
    let report = log::verify(app).await.unwrap();
    assert!(report.problems.iter().any(|p| p.contains("第 2 次调用")), "{:?}", report.problems);
}

/// An upstream department system served on this machine: answers, a slow one, a malformed one.
async fn upstream() -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/ok",
            post(|axum::Json(b): axum::Json<serde_json::Value>| async move {
                axum::Json(json!({ "address": "东城区某街 1 号", "owner": "张三", "echo": b["params"]["id_number"] }))
            }),
        )
        .route(
            "/slow",
            post(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                axum::Json(json!({}))
            }),
        )
        .route("/bad", post(|| async { "<html>not json</html>" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn upstream_systems_answer_through_the_gateway_and_their_failures_are_502_or_504() {
    let mut s = sharing().await;
    // Unsafe upstream URLs are refused at registration.
    let mut r = housing();
    for bad in ["http://169.254.169.254/latest/meta-data", "http://127.0.0.1:9/x", "http://10.0.0.8/q"] {
        r.provider = Some(Provider::Upstream { url: bad.into() });
        let e = catalog::save(&s.w.app, &s.provider, r.clone(), None).await.unwrap_err();
        assert_eq!(fields(e), ["provider.url"], "{bad}");
    }
    // The operator allows this machine's test upstream; calls wait half a second.
    let policy = tongban_app::outbound::AddressPolicy::parse(&["127.0.0.1/32".into()]).unwrap();
    s.w.app.outbound = Arc::new(tongban_app::outbound::Outbound::new(policy).unwrap());
    s.w.app.exchange = Arc::new(exchange::Exchange::new(exchange::Settings {
        upstream_timeout: std::time::Duration::from_millis(500),
        ..Default::default()
    }));
    let base = upstream().await;
    r.provider = Some(Provider::Upstream { url: format!("{base}/ok") });
    granted(&s, r.clone(), &["address"], 100).await;
    let app = &s.w.app;
    let token = system_token(app, &s.consumer).await;
    let case = submitted(&s.w).await;
    let q = Query {
        case_number: Some(case.clone()),
        params: json!({ "id_number": citizen_id(1) }).as_object().cloned().unwrap(),
        items: None,
    };
    let a = gateway::query(app, &token, &r.identifier, q.clone()).await.unwrap();
    assert_eq!(a.data, json!({ "address": "东城区某街 1 号" }), "only the granted item");

    for (path, status, code) in
        [("slow", 504, "upstream_timeout"), ("bad", 502, "upstream_malformed"), ("gone", 502, "upstream_failed")]
    {
        let mut v = r.clone();
        v.provider = Some(Provider::Upstream { url: format!("{base}/{path}") });
        if path == "gone" {
            // A port nothing listens on.
            let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
            v.provider = Some(Provider::Upstream { url: format!("http://{closed}/q") });
        }
        let latest = catalog::view(app, Some(&s.provider), &r.identifier, None).await.unwrap().latest_version;
        let saved = catalog::save(app, &s.provider, v, Some(latest)).await.unwrap();
        catalog::publish(app, &s.provider, &r.identifier, saved.version).await.unwrap();
        let e = gateway::query(app, &token, &r.identifier, q.clone()).await.unwrap_err();
        assert_eq!((e.status, e.code), (status, code), "{path}");
    }
    let report = log::verify(app).await.unwrap();
    assert!(report.ok() && report.calls == 4, "{report:?}");
}

/// 免提交: a guide material from a shared resource is previewed, not asked for, fetched for the
/// case under the handling agency's grant and shown to its staff with the call's log place; an
/// applicant who declines uploads it instead.
#[tokio::test]
async fn a_shared_material_is_previewed_fetched_for_the_case_and_shown_to_staff() {
    use tongban_app::cases;
    use tongban_app::exchange::shared;
    use tongban_domain::catalog::{Material, MaterialForm, MaterialSource, Original};
    let s = sharing().await;
    let app = &s.w.app;
    const NEEDED: &str = "经营者户籍信息";
    let mut o = offering();
    o.offering_code = format!("{}998", &o.offering_code[..o.offering_code.len() - 3]);
    o.materials.push(Material {
        name: NEEDED.into(),
        original: Original::Original,
        copies: 1,
        form: MaterialForm::Electronic,
        required: true,
        condition: None,
        source: MaterialSource::Shared { resource: "110101-GA-RK-0001".into() },
    });
    tongban_app::catalog::publish(app, &o, "test").await.unwrap();
    granted(&s, population(SharingClass::Unconditional), &["registered"], 100).await;
    // The grant names the demo offering; this one needs its own line in the grant.
    let req = requests::request(
        app,
        &s.consumer,
        new_request("110101-GA-RK-0001", &o.offering_code, &["registered"], 100),
        "r",
    )
    .await
    .unwrap();
    requests::decide(app, &s.w.admin, &req.id, verdict(Decision::Approve, "", None), "r").await.unwrap();

    // The applicant sees what will be fetched from whom; it is not missing.
    let a = cases::start(app, &s.w.zhang, &o.offering_code).await.unwrap();
    let a = cases::save(app, &s.w.zhang, &a.id, complete()).await.unwrap();
    let need = a.materials.iter().find(|m| m.name == NEEDED).unwrap();
    let preview = need.shared.as_ref().expect("a preview");
    assert_eq!((preview.resource_name.as_str(), preview.declined), ("人口基本信息核验", false));
    assert_eq!(preview.items, ["是否在册", "姓名是否一致"]);
    upload_premises(&s.w, &s.w.zhang, &a.id).await;
    let bytes = bytes::Bytes::from_static(b"%PDF-1.7\n%%EOF\n");
    let e = tongban_app::materials::upload(app, &s.w.zhang, &a.id, NEEDED, "a.pdf", bytes.clone()).await.unwrap_err();
    assert_eq!(fields(e), ["material"], "not asked while it is fetched");
    let number = cases::submit(app, &s.w.zhang, &a.id, None, "r").await.unwrap().case_number;

    // The handling agency's staff see the data fetched, with the call's place in the log.
    let f = shared::fetched(app, &s.w.approver, &number).await.unwrap();
    assert_eq!(f.len(), 1);
    assert!(f[0].fetched, "{}", f[0].error);
    assert_eq!(f[0].data, [("是否在册".to_owned(), "是".to_owned())], "only the granted item");
    assert!(f[0].call.as_deref().is_some_and(|c| c.starts_with("1-")));
    assert!(matches!(shared::fetched(app, &s.w.li, &number).await, Err(AppError::NotFound { .. })));
    assert_eq!(tongban_app::licences::uses::materials_saved(app, Some(&o.offering_code)).await.unwrap(), 1);

    // 李四 declines: the material is asked for, uploaded, and nothing is fetched.
    let b = cases::start(app, &s.w.li, &o.offering_code).await.unwrap();
    cases::save(app, &s.w.li, &b.id, complete()).await.unwrap();
    upload_premises(&s.w, &s.w.li, &b.id).await;
    shared::choose(app, &s.w.li, &b.id, NEEDED, true).await.unwrap();
    assert_eq!(fields(cases::submit(app, &s.w.li, &b.id, None, "r").await.unwrap_err()), ["materials"]);
    tongban_app::materials::upload(app, &s.w.li, &b.id, NEEDED, "户籍.pdf", bytes).await.unwrap();
    let other = cases::submit(app, &s.w.li, &b.id, None, "r").await.unwrap().case_number;
    assert!(shared::fetched(app, &s.w.approver, &other).await.unwrap().is_empty());
    let e = shared::choose(app, &s.w.li, &b.id, support::PREMISES, true).await.unwrap_err();
    assert!(matches!(e, AppError::Validation { .. } | AppError::NotFound { .. } | AppError::Conflict { .. }), "{e:?}");
}

/// 一表申请 with data that travels: a form field whose source is a shared resource is filled in
/// when the application starts — fetched for the offering's agency under its grant, the
/// application as the purpose, logged — and says which agency's resource and item it came from.
/// Without a grant the field is simply left for the applicant.
#[tokio::test]
async fn a_form_field_is_prefilled_from_a_shared_resource_and_names_it() {
    use tongban_app::cases;
    use tongban_domain::forms::{FormField, PrefillSource, SharedItem};
    let mut s = sharing().await;
    let policy = tongban_app::outbound::AddressPolicy::parse(&["127.0.0.1/32".into()]).unwrap();
    s.w.app.outbound = Arc::new(tongban_app::outbound::Outbound::new(policy).unwrap());
    let mut r = housing();
    r.provider = Some(Provider::Upstream { url: format!("{}/ok", upstream().await) });
    let app = &s.w.app;
    let v = catalog::save(app, &s.provider, r, None).await.unwrap();
    catalog::publish(app, &s.provider, "110101-GA-FC-0001", v.version).await.unwrap();

    let mut o = offering();
    o.offering_code = format!("{}997", &o.offering_code[..o.offering_code.len() - 3]);
    let mut form = o.form().into_owned();
    form.schema["properties"]["premises_address"] = json!({ "type": "string", "maxLength": 200 });
    form.sections[0].fields.push(FormField {
        name: "premises_address".into(),
        label: "经营场所".into(),
        label_en: "Premises".into(),
        help: String::new(),
        widget: None,
        prefill: vec![PrefillSource::Shared],
        show_if: None,
        shared: Some(SharedItem { resource: "110101-GA-FC-0001".into(), item: "address".into() }),
    });
    o.form = Some(form);
    tongban_app::catalog::publish(app, &o, "test").await.unwrap();

    // No grant yet: nothing is filled in, and starting is not held up.
    let before = cases::start(app, &s.w.li, &o.offering_code).await.unwrap();
    assert!(!before.data.contains_key("premises_address") && before.prefilled_from.is_empty(), "{before:?}");

    let req =
        requests::request(app, &s.consumer, new_request("110101-GA-FC-0001", &o.offering_code, &["address"], 100), "r")
            .await
            .unwrap();
    requests::decide(app, &s.w.admin, &req.id, verdict(Decision::Approve, "", None), "r").await.unwrap();
    let a = cases::start(app, &s.w.zhang, &o.offering_code).await.unwrap();
    assert_eq!(a.data["premises_address"], json!("东城区某街 1 号"));
    assert_eq!(a.prefilled["premises_address"], PrefillSource::Shared);
    let from = &a.prefilled_from["premises_address"];
    assert!(from.contains("房产登记信息") && from.contains("房屋坐落"), "{from}");
    // Logged like any call, the application as its purpose.
    let last = app.store.last_call(1).await.unwrap().unwrap();
    assert_eq!((last.case_number.as_deref(), last.status), (Some(a.id.as_str()), 200));
    assert!(log::verify(app).await.unwrap().ok());
}

/// The catalog as JSON Lines: an export imports again; refused lines are reported by number and
/// reason while the others go in.
#[tokio::test]
async fn the_catalog_exports_and_imports_as_json_lines_with_refused_lines_reported() {
    let s = sharing().await;
    let app = &s.w.app;
    let r = population(SharingClass::Conditional);
    catalog::save(app, &s.provider, r.clone(), None).await.unwrap();
    catalog::publish(app, &s.provider, &r.identifier, 1).await.unwrap();
    let exported = catalog::export(app, &s.provider).await.unwrap();
    assert_eq!(exported.lines().count(), 1);

    let mut second = r.clone();
    second.identifier = "110101-GA-RK-0002".into();
    second.name = "人口迁移信息".into();
    let mut foreign = r.clone();
    foreign.identifier = "110101-SC-0001".into();
    foreign.agency_code = CONSUMER.into();
    let text = format!(
        "{}\n{}\nnot json\n{}\n",
        exported.trim(),
        serde_json::to_string(&second).unwrap(),
        serde_json::to_string(&foreign).unwrap()
    );
    let report = catalog::import(app, &s.provider, &text).await.unwrap();
    assert_eq!(report.saved, 2, "{report:?}");
    assert_eq!(report.refused.iter().map(|l| l.line).collect::<Vec<_>>(), [3, 4]);
    assert!(report.refused[1].reasons[0].contains("not your agency"), "{report:?}");
    let v = catalog::view(app, Some(&s.provider), &r.identifier, None).await.unwrap();
    assert_eq!((v.latest_version, v.published_version), (2, Some(2)), "imported again as version 2, published");
    assert_eq!(catalog::list(app, &s.consumer, "").await.unwrap().len(), 2);
}
