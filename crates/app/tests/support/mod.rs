//! What the application and case tests share: a store on the backend `TEST_DATABASE_URL`
//! selects, the demo 个体工商户设立登记 of 东城区 published, people with their roles, and the
//! steps from a draft to a submitted case.
// Each test binary uses part of this.
#![allow(dead_code)]

use serde_json::{Map, Value, json};
use std::sync::Arc;
use tongban_app::access::Principal;
use tongban_app::cases;
use tongban_app::identity::{self, Client, Identity, NewPerson, Policy};
use tongban_app::materials;
use tongban_app::staff::{self, NewAssignment};
use tongban_app::{App, AppError};
use tongban_crypto::{KeyRing, PasswordParams};
use tongban_domain::cases::CaseAction;
use tongban_domain::catalog::Offering;
use tongban_domain::codes::citizen_id_check_char;
use tongban_store::testing::{TestStore, fresh_store};

/// 个体工商户设立登记 at 北京市东城区市场监督管理局, from the demo catalog (it has a form and two
/// review steps).
pub fn offering() -> Offering {
    include_str!("../../../../datasets/catalog/demo.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Offering>(l).expect("demo offering"))
        .find(|o| o.item.code == "000105001000" && o.division_code == "110101")
        .expect("个体工商户设立登记 in 110101")
}

pub fn citizen_id(seq: u32) -> String {
    let first17 = format!("11010119900307{seq:03}");
    format!("{first17}{}", citizen_id_check_char(&first17))
}

pub struct World {
    pub app: App,
    pub _t: TestStore,
    pub zhang: Principal,
    pub li: Principal,
    pub window: Principal,
    pub approver: Principal,
    pub code: String,
    /// What was sent by text message and e-mail.
    pub outbox: Arc<tongban_app::notify::DevOutbox>,
    /// The platform administrator.
    pub admin: Principal,
}

pub async fn person(app: &App, seq: u32, name: &str, phone: &str) -> Principal {
    let form = NewPerson {
        name: name.into(),
        citizen_id: citizen_id(seq),
        phone: phone.into(),
        // 张三 gave an e-mail address; the others only their phone.
        email: (seq == 1).then(|| "zhangsan@example.cn".into()),
        password: "Tongban-2026".into(),
    };
    identity::register(app, form, &Client::default()).await.unwrap();
    identity::login(app, phone, "Tongban-2026", None, &Client::default()).await.unwrap().principal
}

pub async fn verified(app: &App, who: &Principal) -> Principal {
    identity::verify_real_name(app, who).await.unwrap();
    identity::rotate_session(app, who, &Client::default()).await.unwrap().principal
}

pub async fn world() -> World {
    let t = fresh_store().await;
    let params = PasswordParams { memory_kib: 64, passes: 1, lanes: 1 };
    let id = Identity::new(KeyRing::generate("t").unwrap(), Policy::default(), params).unwrap();
    let app = App::open(&t.target, tongban_app::catalog::IndexLocation::None, id).await.unwrap();
    let outbox = app.notify.dev().expect("the development outbox").clone();
    let o = offering();
    tongban_app::catalog::publish(&app, &o, "test").await.unwrap();
    let people: Vec<String> = (1..=5).map(|i| format!("用户{i},{}", citizen_id(i))).collect();
    identity::import_registry(
        &app,
        &format!("张三,{}\n李四,{}\n{}", citizen_id(1), citizen_id(2), people[2..].join("\n")),
    )
    .await
    .unwrap();
    let zhang = verified(&app, &person(&app, 1, "张三", "13812345678").await).await;
    let li = verified(&app, &person(&app, 2, "李四", "13912345678").await).await;
    let admin = person(&app, 3, "管理员", "13700000003").await;
    let assign = |who: &str, role: &str, agency: &str, division: &str| NewAssignment {
        person: who.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    };
    staff::assign(&app, None, assign("13700000003", "platform_admin", "", "")).await.unwrap();
    let admin = identity::rotate_session(&app, &admin, &Client::default()).await.unwrap().principal;
    let window = person(&app, 4, "窗口", "13700000004").await;
    let approver = person(&app, 5, "用户5", "13700000005").await;
    let agency = o.agency.credit_code.clone();
    staff::assign(&app, Some(&admin), assign("13700000004", "window_staff", &agency, "110101")).await.unwrap();
    staff::assign(&app, Some(&admin), assign("13700000005", "approver", &agency, "110100")).await.unwrap();
    World { app, _t: t, zhang, li, window, approver, admin, code: o.offering_code, outbox }
}

pub fn complete() -> Map<String, Value> {
    json!({
        "operator_name": "张三", "phone": "13812345678", "organization_form": "个人经营",
        "address": "北京市东城区东华门街道某某胡同 8 号", "business_scope": "小吃服务；食品销售（仅销售预包装食品）",
        "employees": 2, "capital": 5
    })
    .as_object()
    .cloned()
    .unwrap()
}

pub fn fields(e: AppError) -> Vec<String> {
    match e {
        AppError::Validation { fields } => fields.into_keys().collect(),
        e => panic!("expected a validation error, got {e:?}"),
    }
}

pub const PREMISES: &str = "经营场所使用相关文件（或经营场所申报承诺）";

/// Uploads a small PDF as the premises document.
pub async fn upload_premises(w: &World, who: &Principal, id: &str) {
    let pdf = bytes::Bytes::from_static(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n");
    materials::upload(&w.app, who, id, PREMISES, "租赁合同.pdf", pdf).await.unwrap();
}

pub async fn submitted(w: &World) -> String {
    let a = cases::start(&w.app, &w.zhang, &w.code).await.unwrap();
    cases::save(&w.app, &w.zhang, &a.id, complete()).await.unwrap();
    upload_premises(w, &w.zhang, &a.id).await;
    cases::submit(&w.app, &w.zhang, &a.id, Some("k1"), "req-1").await.unwrap().case_number
}

pub async fn act(w: &World, who: &Principal, number: &str, action: CaseAction) -> Result<cases::CaseView, AppError> {
    cases::act(&w.app, who, number, action, Some("意见".into()), None, "req").await
}
