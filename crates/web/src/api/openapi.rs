//! The OpenAPI document of the JSON API, generated from the handlers' annotations and served at
//! `GET /api/v1/openapi.json`. A snapshot (`docs/openapi.json`) is checked by the tests so that
//! every change to the API shows in review.

use super::{
    calendar, cases, catalog, codes, data, divisions, gateway, hall, inquiries, licences, materials, ratings, sessions,
};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tongban (通办) API",
        description = "一网通办政务服务平台的 JSON 接口 (the JSON API of the Tongban platform). Errors are \
                       `{\"error\": {\"code\", \"message\", \"fields\"?}}` with a stable `code`.",
        license(name = "Apache-2.0"),
    ),
    paths(
        catalog::search,
        catalog::offering,
        catalog::versions,
        codes::check_one,
        codes::check_many,
        divisions::one,
        divisions::children,
        calendar::deadline,
        calendar::years,
        sessions::login,
        sessions::logout,
        cases::start,
        cases::my_applications,
        cases::application,
        cases::save,
        materials::upload,
        materials::download,
        materials::remove,
        cases::submit,
        cases::my_cases,
        cases::case,
        cases::act,
        cases::trail,
        cases::claim,
        cases::release,
        cases::queue,
        cases::messages,
        cases::mark_read,
        licences::verification,
        licences::trust_list,
        licences::wallet,
        licences::export,
        licences::change_status,
        licences::history,
        licences::uses_of_licence,
        licences::authorize,
        licences::withdraw,
        licences::annotated_copy,
        licences::status_list,
        licences::issue,
        licences::import,
        licences::renew,
        data::list,
        data::register,
        data::one,
        data::new_version,
        data::publish,
        data::export,
        data::import,
        data::request_list,
        data::request,
        data::request_one,
        data::decide,
        data::revoke,
        data::systems,
        data::register_system,
        data::monitoring,
        gateway::query,
        ratings::rate,
        ratings::change,
        ratings::of_case,
        ratings::verdict,
        ratings::queue,
        ratings::work,
        ratings::contact,
        ratings::appeal,
        ratings::appeals,
        ratings::decide,
        ratings::figures,
        ratings::mine,
        ratings::verdict_rating,
        inquiries::submit,
        inquiries::mine,
        inquiries::queue,
        inquiries::one,
        inquiries::answer,
        inquiries::transfer,
        inquiries::rate,
        hall::list,
        hall::create,
        hall::one,
        hall::change,
        hall::slots,
        hall::book,
        hall::mine,
        hall::appointment,
        hall::move_to,
        hall::cancel,
        hall::take,
        hall::check_in,
        hall::ticket,
        hall::window,
        hall::desk,
        hall::call_next,
        hall::act,
        hall::rate,
        hall::figures,
    ),
    modifiers(&SessionAuth),
    tags(
        (name = "catalog", description = "服务事项与办事指南 (service catalog and guides)"),
        (name = "codes", description = "国家标准代码校验 (national code checks)"),
        (name = "divisions", description = "行政区划 GB/T 2260 (administrative divisions)"),
        (name = "calendar", description = "法定工作日 (statutory working days)"),
        (name = "sessions", description = "登录会话 (sessions for API clients)"),
        (name = "applications", description = "网上申请 (applications: drafts and submission)"),
        (name = "cases", description = "办件 (cases: status, actions, audit trail, staff queues)"),
        (name = "licences", description = "电子证照 (electronic licences: verification, trust list, wallet)"),
        (name = "data", description = "数据共享 (data sharing: the resource catalog, requests and grants, systems, monitoring)"),
        (name = "ratings", description = "好差评 (ratings, rectifications of bad reviews, the published figures)"),
        (name = "inquiries", description = "咨询投诉举报 (inquiries, complaints and reports: routed, answered on a clock, rated)"),
        (name = "hall", description = "政务服务中心 (the service hall: appointments, queue tickets, calling, the window visit and its rating)"),
        (name = "exchange", description = "交换网关 (the exchange gateway department systems query with client credentials)"),
    )
)]
pub struct ApiDoc;

/// The `session` security scheme: a token from `POST /api/v1/sessions` as a bearer token (or the
/// browser's session cookie with `X-CSRF-Token` on changes).
struct SessionAuth;

impl utoipa::Modify for SessionAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // A department system's access token from `POST /oauth/token` (grant_type=client_credentials).
        components.add_security_scheme(
            "client_credentials",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("client-credentials access token from POST /oauth/token"))
                    .build(),
            ),
        );
    }
}

/// The document as served: the annotations, then the error answers every operation of a kind
/// can give (`with_error_answers`).
pub fn document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    with_error_answers(&mut doc);
    doc
}

/// Documents the statuses the middleware and extractors answer for whole kinds of operations,
/// so no answer is undocumented: 401 on every secured operation; 400 on a malformed path; 413,
/// 415 and (JSON) 400 and 422 on every request body; a `Retry-After` header on every 429.
fn with_error_answers(doc: &mut serde_json::Value) {
    use serde_json::json;
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}});
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for op in item.values_mut().filter_map(|o| o.as_object_mut()) {
            let secured = op.get("security").is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()));
            let body_types: Vec<String> = op
                .get("requestBody")
                .and_then(|b| b["content"].as_object())
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            let mut add = |status: &str, description: &str| {
                responses.entry(status.to_owned()).or_insert_with(|| error(description));
            };
            if secured {
                add("401", "未登录或会话已结束 (not signed in, or the session ended): `unauthenticated`");
            }
            if path.contains('{') {
                add("400", "地址无效 (a path segment is malformed): `validation_failed`");
            }
            if !body_types.is_empty() {
                add("413", "请求体过大 (body over the limit): `payload_too_large`");
                add("415", "请求体类型不符 (wrong Content-Type): `unsupported_media_type`");
            }
            if body_types.iter().any(|t| t == "application/json") {
                add(
                    "400",
                    "JSON 格式错误或字段无效 (malformed JSON, or invalid fields): `malformed_json`, `validation_failed`",
                );
                add("422", "请求体字段不符合要求 (body of the wrong shape): `invalid_body`");
            }
            if let Some(limited) = responses.get_mut("429").and_then(|r| r.as_object_mut()) {
                limited.insert(
                    "headers".into(),
                    json!({"Retry-After": {"description": "再试之前等待的秒数 (seconds to wait)", "schema": {"type": "integer"}}}),
                );
            }
        }
    }
}

pub(crate) async fn serve() -> axum::Json<serde_json::Value> {
    axum::Json(document())
}
