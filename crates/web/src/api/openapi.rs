//! The OpenAPI document of the JSON API, generated from the handlers' annotations and served at
//! `GET /api/v1/openapi.json`. A snapshot (`docs/openapi.json`) is checked by the tests so that
//! every change to the API shows in review.

use super::{calendar, cases, catalog, codes, divisions, licences, materials, sessions};
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
    }
}

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

pub(crate) async fn serve() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}
