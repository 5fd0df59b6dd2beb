//! The data sharing pages (`/data`): the resource catalog with search, registering and editing a
//! resource (items one a line), publishing, requesting another agency's resource, the requests
//! with their working-day clocks and the decisions on them, revoking a grant (asked first), the
//! agency's department systems (the secret shown once) and the day's call monitoring. Stewards
//! and the data authority; `tongban_app::exchange` decides who may.

use super::Frame;
use super::forms::{Page, Req};
use crate::AppState;
use crate::data_labels::DataLabels;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::access::Principal;
use tongban_app::exchange::{self, catalog};
use tongban_domain::exchange::{Builtin, Provider, Sensitivity, SharingClass};

mod requests;
mod resources;

pub fn routes() -> Router<AppState> {
    use requests::{decide, monitoring, register_system, request_list, request_page, revoke, systems};
    use resources::{create, edit_form, make_request, new_form, publish, resource, save_version};
    Router::new()
        .route("/data", get(home))
        .route("/data/resources/new", get(new_form))
        .route("/data/resources", post(create))
        .route("/data/resources/{id}", get(resource))
        .route("/data/resources/{id}/edit", get(edit_form).post(save_version))
        .route("/data/resources/{id}/publish", post(publish))
        .route("/data/requests", get(request_list).post(make_request))
        .route("/data/requests/{id}", get(request_page))
        .route("/data/requests/{id}/decide", post(decide))
        .route("/data/requests/{id}/revoke", post(revoke))
        .route("/data/systems", get(systems).post(register_system))
        .route("/data/monitoring", get(monitoring))
}

/// Who the person is here: the agencies they steward (code, name), and whether they are the data
/// authority. Refused (403) for anyone else.
pub(super) struct Roles {
    pub own: Vec<(String, String)>,
    pub authority: bool,
}

pub(super) async fn roles(r: &Req, who: &Principal) -> Result<Roles, axum::response::Response> {
    let app = &r.s.app;
    let assigned = exchange::data_roles(app, who).await.map_err(|e| r.error(e))?;
    let mut own = Vec::new();
    for code in exchange::stewarded(&assigned) {
        let name = tongban_app::staff::agency_name(app, &code).await.map_err(|e| r.error(e))?;
        own.push((code, name));
    }
    Ok(Roles { own, authority: exchange::is_authority(&assigned) })
}

pub(super) fn sharing_name(l: &DataLabels, s: SharingClass) -> &'static str {
    match s {
        SharingClass::Unconditional => l.sharing_names[0],
        SharingClass::Conditional => l.sharing_names[1],
        SharingClass::NotShared => l.sharing_names[2],
    }
}

pub(super) fn sensitivity_name(l: &DataLabels, s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::General => l.sensitivity_names[0],
        Sensitivity::Sensitive => l.sensitivity_names[1],
        Sensitivity::Personal => l.sensitivity_names[2],
    }
}

pub(super) const PROVIDERS: [&str; 6] =
    ["none", "upstream", "population", "legal_person", "licences_by_holder", "case_results"];

pub(super) fn provider_key(p: &Option<Provider>) -> &'static str {
    match p {
        None => "none",
        Some(Provider::Upstream { .. }) => "upstream",
        Some(Provider::Builtin { source: Builtin::Population }) => "population",
        Some(Provider::Builtin { source: Builtin::LegalPerson }) => "legal_person",
        Some(Provider::Builtin { source: Builtin::LicencesByHolder }) => "licences_by_holder",
        Some(Provider::Builtin { source: Builtin::CaseResults }) => "case_results",
    }
}

// ---------------------------------------------------------------- the catalog

struct Listed {
    identifier: String,
    name: String,
    agency: String,
    sharing: &'static str,
    published: Option<i32>,
    latest: i32,
}

#[derive(Template)]
#[template(path = "data_home.html")]
struct HomePage<'a> {
    f: &'a Frame,
    l: &'static DataLabels,
    q: String,
    rows: Vec<Listed>,
    steward: bool,
}

async fn home(r: Req) -> Page {
    let who = r.signed_in().await?;
    let l = r.f.lang.data();
    let q: String = r.q.first("q").unwrap_or("").chars().take(100).collect();
    let found = catalog::list(&r.s.app, &who, &q).await.map_err(|e| r.error(e))?;
    let steward = roles(&r, &who).await.is_ok();
    let rows = found
        .into_iter()
        .map(|v| Listed {
            sharing: sharing_name(l, v.resource.sharing),
            identifier: v.resource.identifier,
            name: v.resource.name,
            agency: v.agency_name,
            published: v.published_version,
            latest: v.latest_version,
        })
        .collect();
    Ok(r.respond(StatusCode::OK, &HomePage { f: &r.f, l, q, rows, steward }))
}
