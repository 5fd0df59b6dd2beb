//! Acting for an organization: registering it (its legal representative), switching the session
//! to act for it or back, and the organization page — what the session may do for it, and for
//! the legal representative the agents: authorize and withdraw. Every action passes
//! `policy::authorize`; an agent asking for more than the grant gets 403.

use super::Frame;
use super::account::{Extras, account_page, china_time};
use super::forms::{errors_of, posted, see_other, signed_in, with_csrf};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use crate::session::{self, Peer};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use tongban_app::identity::Principal;
use tongban_app::organizations::{self, GrantView};
use tongban_domain::identity::AgentScope;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/act", post(act))
        .route("/account/organizations", post(register))
        .route("/org", get(org))
        .route("/org/agents/grant", post(grant))
        .route("/org/agents/revoke", post(revoke))
}

async fn act(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let code = form.first("credit_code").map(str::trim).filter(|c| !c.is_empty());
    match organizations::switch(&s.app, &who, code, &session::client(&headers, &peer)).await {
        Ok(fresh) => {
            let mut res = see_other(if code.is_some() { "/org?done=switched" } else { "/account?done=switched" });
            session::set_session(&mut res, &headers, &fresh.token);
            res
        }
        Err(e) => super::error_page(&f, e),
    }
}

async fn register(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    match organizations::register(&s.app, &who, form.first("credit_code").unwrap_or("")).await {
        Ok(_) => see_other("/account?done=org_registered"),
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                account_page(&s, &f, &headers, &who, status, Extras { errors, ..Extras::default() }).await
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}

struct GrantRow {
    id: String,
    agent: String,
    phone: String,
    scopes: String,
    until: String,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    name: String,
    credit_code: String,
    role: &'static str,
    allowed: Vec<&'static str>,
    /// For the legal representative: the agents, and every scope to grant.
    grants: Option<Vec<GrantRow>>,
    all_scopes: Vec<(&'static str, &'static str)>,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

async fn org_page(
    s: &AppState,
    f: &Frame,
    headers: &HeaderMap,
    who: &Principal,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
) -> Response {
    let a = f.lang.account();
    let Some(acting) = &who.acting else { return see_other("/account") };
    let grants = if acting.legal_rep {
        match organizations::grants(&s.app, who).await {
            Ok(list) => Some(
                list.into_iter()
                    .map(|g: GrantView| GrantRow {
                        scopes: g.scopes.iter().map(|x| a.scope(x)).collect::<Vec<_>>().join("、"),
                        until: china_time(g.expires_at),
                        id: g.id,
                        agent: g.agent_name,
                        phone: g.agent_phone_masked,
                    })
                    .collect(),
            ),
            Err(e) => return super::error_page(f, e),
        }
    } else {
        None
    };
    with_csrf(f, headers, |csrf| {
        let page = OrgPage {
            f,
            a,
            csrf,
            name: acting.name.clone(),
            credit_code: acting.credit_code.clone(),
            role: if acting.legal_rep { a.role_legal_rep } else { a.role_agent },
            allowed: acting.scopes.iter().map(|x| a.scope(x)).collect(),
            grants,
            all_scopes: AgentScope::ALL.iter().map(|x| (x.as_str(), a.scope(x))).collect(),
            notice,
            errors,
        };
        f.respond(status, &page)
    })
}

async fn org(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match signed_in(&s, &f, &headers, &uri).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let a = f.lang.account();
    let notice = match q.first("done") {
        Some("switched") => Some(a.switched),
        Some("granted") => Some(a.granted),
        Some("revoked") => Some(a.grant_revoked),
        _ => None,
    };
    org_page(&s, &f, &headers, &who, StatusCode::OK, notice, vec![]).await
}

async fn grant(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let scopes: Vec<AgentScope> = form.all("scopes").iter().filter_map(|x| AgentScope::parse(x)).collect();
    let days = form.first("days").and_then(|d| d.trim().parse().ok()).unwrap_or(0);
    match organizations::grant(&s.app, &who, form.first("agent").unwrap_or(""), &scopes, days).await {
        Ok(_) => see_other("/org?done=granted"),
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => org_page(&s, &f, &headers, &who, status, None, errors).await,
            Err(e) => super::error_page(&f, e),
        },
    }
}

async fn revoke(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    match organizations::revoke(&s.app, &who, form.first("grant").unwrap_or("")).await {
        Ok(()) => see_other("/org?done=revoked"),
        Err(e) => super::error_page(&f, e),
    }
}
