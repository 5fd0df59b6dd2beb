//! The account pages: register, log in, log out, and my account (profile with masked numbers,
//! assurance level with real-name verification, devices logged in). Every form carries the CSRF
//! token; the session cookie is replaced at login and at every rise in assurance.

use super::Frame;
use super::forms::{csrf_refused, errors_of, posted, see_other, signed_in, with_csrf};
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
use tongban_app::AppError;
use tongban_app::identity::{self, NewPerson, PersonView, Principal};
use tongban_domain::identity::{Assurance, StaffRole};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_form).post(register))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .route("/account/verify", post(verify))
        .route("/account/phone/send", post(send_code))
        .route("/account/phone/confirm", post(confirm_code))
        .route("/account/totp/begin", post(begin_totp))
        .route("/account/totp/confirm", post(confirm_totp))
        .route("/account/totp/disable", post(disable_totp))
        .route("/account/sessions/revoke", post(revoke))
}

/// Only a path on this site: never `//host` or a scheme, so a login link cannot send a person
/// elsewhere.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        // Browsers drop tabs and newlines from a Location and read `\` as `/`: `/\t/evil` would
        // become `//evil`. Only plain printable paths pass.
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && n.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            n
        }
        _ => "/account",
    }
}

pub(super) fn china_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string()
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    name: String,
    citizen_id: String,
    phone: String,
    email: String,
    errors: Vec<(String, String)>,
}

async fn register_form(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    with_csrf(&f, &headers, |csrf| {
        let a = f.lang.account();
        let empty = String::new;
        let page = RegisterPage {
            f: &f,
            a,
            csrf,
            name: empty(),
            citizen_id: empty(),
            phone: empty(),
            email: empty(),
            errors: vec![],
        };
        f.respond(StatusCode::OK, &page)
    })
}

async fn register(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    if !session::csrf_ok(&headers, form.first("csrf")) {
        return csrf_refused(&f);
    }
    let value = |k: &str| form.first(k).unwrap_or("").to_owned();
    let mut page = RegisterPage {
        f: &f,
        a,
        csrf: value("csrf"),
        name: value("name"),
        citizen_id: value("citizen_id"),
        phone: value("phone"),
        email: value("email"),
        errors: vec![],
    };
    let password = value("password");
    if password != value("password_confirm") {
        page.errors.push(("password_confirm".into(), a.password_mismatch.into()));
        return f.respond(StatusCode::BAD_REQUEST, &page);
    }
    let new = NewPerson {
        name: page.name.clone(),
        citizen_id: page.citizen_id.clone(),
        phone: page.phone.clone(),
        email: Some(page.email.clone()),
        password: password.clone(),
    };
    let client = session::client(&headers, &peer);
    let registered = match identity::register(&s.app, new, &client).await {
        Ok(_) => identity::login(&s.app, &page.citizen_id, &password, None, &client).await,
        Err(e) => Err(e),
    };
    match registered {
        Ok(logged_in) => {
            let mut res = see_other("/account");
            session::set_session(&mut res, &headers, &logged_in.token);
            res
        }
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                page.errors = errors;
                f.respond(status, &page)
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    identifier: String,
    next: String,
    notice: Option<&'static str>,
    /// The password was right and the account has a second factor: ask for the code.
    need_totp: bool,
    errors: Vec<(String, String)>,
}

async fn login_form(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let next = safe_next(q.first("next")).to_owned();
    let a = f.lang.account();
    let notice = (q.first("reset") == Some("1")).then_some(a.reset_done);
    with_csrf(&f, &headers, |csrf| {
        let page =
            LoginPage { f: &f, a, csrf, identifier: String::new(), next, notice, need_totp: false, errors: vec![] };
        f.respond(StatusCode::OK, &page)
    })
}

async fn login(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let a = f.lang.account();
    if !session::csrf_ok(&headers, form.first("csrf")) {
        return csrf_refused(&f);
    }
    let identifier = form.first("identifier").unwrap_or("").to_owned();
    let next = safe_next(form.first("next")).to_owned();
    let client = session::client(&headers, &peer);
    let password = form.first("password").unwrap_or("");
    match identity::login(&s.app, &identifier, password, form.first("totp"), &client).await {
        Ok(logged_in) => {
            let mut res = see_other(&next);
            session::set_session(&mut res, &headers, &logged_in.token);
            res
        }
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                let csrf = form.first("csrf").unwrap_or("").to_owned();
                let need_totp = errors.iter().any(|(field, _)| field == "totp")
                    || errors.iter().any(|(_, m)| *m == AppError::SecondFactorRequired.to_string());
                f.respond(status, &LoginPage { f: &f, a, csrf, identifier, next, notice: None, need_totp, errors })
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}

async fn logout(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    FormPairs(form): FormPairs,
) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    if !session::csrf_ok(&headers, form.first("csrf")) {
        return csrf_refused(&f);
    }
    match session::current(&s.app, &headers).await {
        Ok(Some(who)) => {
            if let Err(e) = identity::logout(&s.app, &who).await {
                return super::error_page(&f, e);
            }
        }
        Ok(None) => {}
        Err(e) => return super::error_page(&f, e),
    }
    let mut res = see_other("/");
    session::clear_session(&mut res, &headers);
    res
}

pub(super) struct MembershipRow {
    pub credit_code: String,
    pub name: String,
    pub role: &'static str,
    pub scopes: String,
    pub until: Option<String>,
    pub current: bool,
}

struct SessionRow {
    id: String,
    started: String,
    last_seen: String,
    from: String,
    agent: String,
    this: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    me: PersonView,
    level: &'static str,
    can_verify: bool,
    can_verify_phone: bool,
    sessions: Vec<SessionRow>,
    /// The secret being set up for the second factor, shown once.
    setup: Option<identity::TotpSetup>,
    can_register_org: bool,
    memberships: Vec<MembershipRow>,
    /// The organization this session acts for.
    acting: Option<String>,
    /// Staff roles held, and whether one of them administers staff.
    roles: Vec<String>,
    staff_admin: bool,
    window_staff: bool,
    notice: Option<&'static str>,
    errors: Vec<(String, String)>,
}

/// What my account shows beside the person's data: a notice, errors, a second factor being set up.
#[derive(Default)]
pub(super) struct Extras {
    pub notice: Option<&'static str>,
    pub errors: Vec<(String, String)>,
    pub setup: Option<identity::TotpSetup>,
}

pub(super) async fn account_page(
    s: &AppState,
    f: &Frame,
    headers: &HeaderMap,
    who: &Principal,
    status: StatusCode,
    extras: Extras,
) -> Response {
    let a = f.lang.account();
    let loaded = async {
        let me = identity::me(&s.app, who).await?;
        let sessions = identity::sessions(&s.app, who).await?;
        let memberships = tongban_app::organizations::memberships(&s.app, &who.person_id).await?;
        let roles = tongban_app::staff::roles(&s.app, &who.person_id).await?;
        Ok::<_, AppError>((me, sessions, memberships, roles))
    };
    let (me, sessions, memberships, roles) = match loaded.await {
        Ok(x) => x,
        Err(e) => return super::error_page(f, e),
    };
    let sessions = sessions
        .into_iter()
        .map(|v| SessionRow {
            this: v.id == who.session_id,
            started: china_time(v.created_at),
            last_seen: china_time(v.last_seen_at),
            from: v.address,
            agent: v.user_agent.chars().take(80).collect(),
            id: v.id,
        })
        .collect();
    with_csrf(f, headers, |csrf| {
        let page = AccountPage {
            f,
            a,
            csrf,
            level: a.level(&me.assurance),
            can_verify: me.assurance == Assurance::L1,
            can_verify_phone: me.assurance == Assurance::L2,
            can_register_org: me.assurance >= Assurance::L2,
            me,
            memberships: memberships
                .into_iter()
                .map(|m| MembershipRow {
                    role: if m.legal_rep { a.role_legal_rep } else { a.role_agent },
                    scopes: m.scopes.iter().map(|x| a.scope(x)).collect::<Vec<_>>().join("、"),
                    until: m.expires_at.map(china_time),
                    current: who.acting.as_ref().is_some_and(|x| x.credit_code == m.credit_code),
                    credit_code: m.credit_code,
                    name: m.name,
                })
                .collect(),
            acting: who.acting.as_ref().map(|x| x.name.clone()),
            staff_admin: roles.iter().any(|r| matches!(r.role, StaffRole::PlatformAdmin | StaffRole::AgencyAdmin)),
            window_staff: roles.iter().any(|r| r.role == StaffRole::WindowStaff),
            roles: roles
                .iter()
                .map(|r| {
                    let place = if r.agency_code.is_empty() {
                        String::new()
                    } else {
                        format!(" · {} · {}", r.agency_code, r.division_code)
                    };
                    format!("{}{place}", a.role_name(&r.role))
                })
                .collect(),
            sessions,
            setup: extras.setup,
            notice: extras.notice,
            errors: extras.errors,
        };
        f.respond(status, &page)
    })
}

async fn account(State(s): State<AppState>, uri: Uri, q: QueryPairs, headers: HeaderMap) -> Response {
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match signed_in(&s, &f, &headers, &uri).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    let a = f.lang.account();
    let notice = match q.first("done") {
        Some("verified") => Some(a.verified),
        Some("revoked") => Some(a.revoked),
        Some("code_sent") => Some(a.code_sent),
        Some("phone_verified") => Some(a.phone_verified),
        Some("totp_on") => Some(a.totp_turned_on),
        Some("totp_off") => Some(a.totp_turned_off),
        Some("org_registered") => Some(a.org_registered),
        Some("switched") => Some(a.switched),
        _ => None,
    };
    account_page(&s, &f, &headers, &who, StatusCode::OK, Extras { notice, ..Extras::default() }).await
}

/// A form of my account: checks the CSRF token and the session, runs `act`, then sends the
/// person to my account with `?done=` — or shows the page again with the errors. `act` answering
/// true means the assurance rose: the session is then replaced.
#[allow(clippy::too_many_arguments)]
async fn account_action<F, Fut>(
    s: AppState,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    form: QueryPairs,
    done: &str,
    act: F,
) -> Response
where
    F: FnOnce(AppState, Principal, QueryPairs) -> Fut,
    Fut: std::future::Future<Output = Result<bool, AppError>>,
{
    let f = Frame::new(&s, &uri, &q, &headers);
    let who = match posted(&s, &f, &headers, &uri, &form).await {
        Ok(w) => w,
        Err(res) => return res,
    };
    match act(s.clone(), who.clone(), form).await {
        Ok(raised) => {
            let mut res = see_other(&format!("/account?done={done}"));
            if raised {
                match identity::rotate_session(&s.app, &who, &session::client(&headers, &peer)).await {
                    Ok(fresh) => session::set_session(&mut res, &headers, &fresh.token),
                    Err(e) => return super::error_page(&f, e),
                }
            }
            res
        }
        Err(e) => match errors_of(e) {
            Ok((status, errors)) => {
                account_page(&s, &f, &headers, &who, status, Extras { errors, ..Extras::default() }).await
            }
            Err(e) => super::error_page(&f, e),
        },
    }
}

async fn verify(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "verified", |s, who, _| async move {
        identity::verify_real_name(&s.app, &who).await.map(|_| true)
    })
    .await
}

async fn send_code(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "code_sent", |s, who, _| async move {
        identity::send_phone_code(&s.app, &who).await.map(|()| false)
    })
    .await
}

async fn confirm_code(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "phone_verified", |s, who, form| async move {
        identity::confirm_phone_code(&s.app, &who, form.first("code").unwrap_or("")).await.map(|_| true)
    })
    .await
}

async fn revoke(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "revoked", |s, who, form| async move {
        identity::revoke(&s.app, &who, form.first("session").unwrap_or("")).await.map(|()| false)
    })
    .await
}

async fn begin_totp(
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
    match identity::begin_totp(&s.app, &who).await {
        Ok(setup) => {
            account_page(&s, &f, &headers, &who, StatusCode::OK, Extras { setup: Some(setup), ..Extras::default() })
                .await
        }
        Err(e) => super::error_page(&f, e),
    }
}

async fn confirm_totp(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "totp_on", |s, who, form| async move {
        identity::confirm_totp(&s.app, &who, form.first("totp").unwrap_or("")).await.map(|()| true)
    })
    .await
}

async fn disable_totp(
    State(s): State<AppState>,
    uri: Uri,
    q: QueryPairs,
    headers: HeaderMap,
    peer: Peer,
    FormPairs(form): FormPairs,
) -> Response {
    account_action(s, uri, q, headers, peer, form, "totp_off", |s, who, form| async move {
        identity::disable_totp(&s.app, &who, form.first("totp").unwrap_or("")).await.map(|()| false)
    })
    .await
}
