//! Acting for an organization: registering it (its legal representative), switching the session
//! to act for it or back, and the organization page — what the session may do for it, and for
//! the legal representative the agents: authorize and withdraw. Every action passes
//! `access::authorize`; an agent asking for more than the grant gets 403.

use super::Frame;
use super::account::{Extras, account_page};
use super::china_time;
use super::forms::{FormErrors, Page, Req, field, see_other};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::FormPairs;
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tongban_app::access::Principal;
use tongban_app::organizations;
use tongban_domain::identity::AgentScope;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/act", post(act))
        .route("/account/organizations", post(register))
        .route("/org", get(org))
        .route("/org/agents/grant", post(grant))
        .route("/org/agents/revoke", post(revoke))
}

async fn act(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let code = form.first("credit_code").map(str::trim).filter(|c| !c.is_empty());
    let fresh = organizations::switch(&r.s.app, &who, code, &r.client()).await.map_err(|e| r.error(e))?;
    let to = if code.is_some() { "/org?done=switched" } else { "/account?done=switched" };
    Ok(r.see_other_with_session(to, &fresh.token))
}

async fn register(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    match organizations::register(&r.s.app, &who, &field(&form, "credit_code")).await {
        Ok(_) => Ok(see_other("/account?done=org_registered")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            account_page(&r, &who, status, Extras { errors, ..Extras::default() }).await
        }
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
    errors: FormErrors,
}

async fn org_page(
    r: &Req,
    who: &Principal,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: FormErrors,
) -> Page {
    let a = r.labels();
    let Some(acting) = &who.acting else { return Ok(see_other("/account")) };
    let grants = if acting.legal_rep {
        let list = organizations::grants(&r.s.app, who).await.map_err(|e| r.error(e))?;
        let rows = list.into_iter().map(|g| GrantRow {
            scopes: a.scope_list(&g.scopes),
            until: china_time(g.expires_at),
            id: g.id,
            agent: g.agent_name,
            phone: g.agent_phone_masked,
        });
        Some(rows.collect())
    } else {
        None
    };
    Ok(r.with_csrf(|csrf| {
        let page = OrgPage {
            f: &r.f,
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
        r.respond(status, &page)
    }))
}

async fn org(r: Req) -> Page {
    let who = r.signed_in().await?;
    let a = r.labels();
    let notice = match r.q.first("done") {
        Some("switched") => Some(a.switched),
        Some("granted") => Some(a.granted),
        Some("revoked") => Some(a.grant_revoked),
        _ => None,
    };
    org_page(&r, &who, StatusCode::OK, notice, vec![]).await
}

async fn grant(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let scopes: Vec<AgentScope> = form.all("scopes").iter().filter_map(|x| AgentScope::parse(x)).collect();
    let days = form.first("days").and_then(|d| d.trim().parse().ok()).unwrap_or(0);
    match organizations::grant(&r.s.app, &who, &field(&form, "agent"), &scopes, days).await {
        Ok(_) => Ok(see_other("/org?done=granted")),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            org_page(&r, &who, status, None, errors).await
        }
    }
}

async fn revoke(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    organizations::revoke(&r.s.app, &who, &field(&form, "grant")).await.map_err(|e| r.error(e))?;
    Ok(see_other("/org?done=revoked"))
}
