//! Helpers of the API tests: the demo service, people with bearer tokens, calls, uploads.

use super::{Server, citizen_id};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tongban_app::identity::{self, Client, NewPerson};
use tongban_app::staff::NewAssignment;
use tongban_domain::catalog::Offering;

pub fn offering() -> Offering {
    include_str!("../../../../datasets/catalog/demo.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<Offering>(l).expect("demo offering"))
        .find(|o| o.item.code == "000105001000" && o.division_code == "110101")
        .expect("个体工商户设立登记 in 110101")
}

/// Registers person `seq` (verified against the registry when `real_name`) and logs in over the
/// API; the bearer token.
pub async fn person(s: &Server, seq: u32, phone: &str, real_name: bool) -> String {
    let form = NewPerson {
        name: format!("用户{seq}"),
        citizen_id: citizen_id(seq),
        phone: phone.into(),
        email: None,
        password: "Tongban-2026".into(),
    };
    identity::register(&s.app, form, &Client::default()).await.unwrap();
    if real_name {
        let who = identity::login(&s.app, phone, "Tongban-2026", None, &Client::default()).await.unwrap().principal;
        identity::verify_real_name(&s.app, &who).await.unwrap();
    }
    let (status, body) =
        call(s, "", "POST", "/api/v1/sessions", Some(json!({"identifier": phone, "password": "Tongban-2026"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

pub async fn call(s: &Server, token: &str, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    send(s, token, method, path, body, &[]).await
}

pub async fn send(
    s: &Server,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = s.http.request(method.parse().unwrap(), format!("{}{path}", s.base));
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
}

pub fn assignment(phone: &str, role: &str, agency: &str, division: &str) -> NewAssignment {
    NewAssignment {
        person: phone.into(),
        role: role.into(),
        agency_code: agency.into(),
        division_code: division.into(),
    }
}

pub fn data() -> Value {
    json!({
        "operator_name": "用户1", "phone": "13800000001", "organization_form": "个人经营",
        "address": "北京市东城区东华门街道某某胡同 8 号", "business_scope": "小吃服务", "employees": 1
    })
}

pub const PREMISES: &str = "经营场所使用相关文件（或经营场所申报承诺）";

/// Uploads `bytes` as `material` of application `id`.
pub async fn upload(
    s: &Server,
    token: &str,
    id: &str,
    material: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("material", material.to_owned())
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let res = s
        .http
        .post(format!("{}/api/v1/applications/{id}/materials", s.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n".to_vec()
}
