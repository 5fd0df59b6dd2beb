//! The account pages: register, log in, log out, and my account (profile with masked numbers,
//! assurance level with real-name verification, devices logged in). Every form carries the CSRF
//! token; the session cookie is replaced at login and at every rise in assurance.

use super::Frame;
use super::china_time;
use super::forms::{FormErrors, Page, Req, field, see_other};
use crate::AppState;
use crate::account_labels::AccountLabels;
use crate::extract::{FormPairs, QueryPairs};
use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use tongban_app::AppError;
use tongban_app::access::Principal;
use tongban_app::identity::{self, NewPerson, PersonView};
use tongban_app::notify::{self, NoticeChannels};
use tongban_domain::identity::{Assurance, StaffRole};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_form).post(register))
        .route("/login", get(login_form).post(login))
        .route("/logout", get(logout_page).post(logout))
        .route("/account", get(account))
        .route("/account/verify", post(verify))
        .route("/account/phone/send", post(send_code))
        .route("/account/phone/confirm", post(confirm_code))
        .route("/account/totp/begin", post(begin_totp))
        .route("/account/totp/confirm", post(confirm_totp))
        .route("/account/totp/disable", post(disable_totp))
        .route("/account/sessions/revoke", post(revoke))
        .route("/account/notices", post(choose_notices))
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
    errors: FormErrors,
}

async fn register_form(r: Req) -> Response {
    r.with_csrf(|csrf| {
        let empty = String::new;
        let page = RegisterPage {
            f: &r.f,
            a: r.labels(),
            csrf,
            name: empty(),
            citizen_id: empty(),
            phone: empty(),
            email: empty(),
            errors: vec![],
        };
        r.respond(StatusCode::OK, &page)
    })
}

async fn register(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let a = r.labels();
    let value = |k: &str| field(&form, k);
    let mut page = RegisterPage {
        f: &r.f,
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
        return Ok(r.respond(StatusCode::BAD_REQUEST, &page));
    }
    let new = NewPerson {
        name: page.name.clone(),
        citizen_id: page.citizen_id.clone(),
        phone: page.phone.clone(),
        email: Some(page.email.clone()),
        password: password.clone(),
    };
    let client = r.client();
    let registered = match identity::register(&r.s.app, new, &client).await {
        Ok(_) => identity::login(&r.s.app, &page.citizen_id, &password, None, &client).await,
        Err(e) => Err(e),
    };
    match registered {
        Ok(logged_in) => Ok(r.see_other_with_session("/account", &logged_in.token)),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            page.errors = errors;
            Ok(r.respond(status, &page))
        }
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
    errors: FormErrors,
}

async fn login_form(r: Req) -> Response {
    let next = safe_next(r.q.first("next")).to_owned();
    let a = r.labels();
    let notice = (r.q.first("reset") == Some("1")).then_some(a.reset_done);
    r.with_csrf(|csrf| {
        let f = &r.f;
        let page = LoginPage { f, a, csrf, identifier: String::new(), next, notice, need_totp: false, errors: vec![] };
        r.respond(StatusCode::OK, &page)
    })
}

async fn login(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    let identifier = field(&form, "identifier");
    let next = safe_next(form.first("next")).to_owned();
    let password = form.first("password").unwrap_or("");
    match identity::login(&r.s.app, &identifier, password, form.first("totp"), &r.client()).await {
        Ok(logged_in) => Ok(r.see_other_with_session(&next, &logged_in.token)),
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            let need_totp = errors.iter().any(|(field, _)| field == "totp")
                || errors
                    .iter()
                    .any(|(_, m)| *m == crate::i18n::in_lang(&AppError::SecondFactorRequired.to_string(), r.f.lang));
            let page = LoginPage {
                f: &r.f,
                a: r.labels(),
                csrf: field(&form, "csrf"),
                identifier,
                next,
                notice: None,
                need_totp,
                errors,
            };
            Ok(r.respond(status, &page))
        }
    }
}

#[derive(Template)]
#[template(path = "logout_confirm.html")]
struct LogoutPage<'a> {
    f: &'a Frame,
    a: &'static AccountLabels,
    csrf: String,
    /// Where 不退出 goes back to: the page the person came from.
    back: String,
}

/// The header's 退出 link: asks first (a form, so it works without script).
async fn logout_page(r: Req) -> Page {
    if r.f.user.is_none() {
        return Ok(see_other("/"));
    }
    let back = super::local(r.q.first("next"));
    Ok(r.with_csrf(|csrf| r.respond(StatusCode::OK, &LogoutPage { f: &r.f, a: r.labels(), csrf, back })))
}

async fn logout(r: Req, FormPairs(form): FormPairs) -> Page {
    r.check_csrf(&form)?;
    if let Some(who) = crate::session::current(&r.s, &r.headers).await.map_err(|e| r.error(e))? {
        identity::logout(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    }
    Ok(r.see_other_without_session("/"))
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
    /// The channels notices of the person's cases go by, and whether e-mail can be one.
    channels: NoticeChannels,
    has_email: bool,
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
    pub errors: FormErrors,
    pub setup: Option<identity::TotpSetup>,
}

pub(super) async fn account_page(r: &Req, who: &Principal, status: StatusCode, extras: Extras) -> Page {
    let a = r.labels();
    let app = &r.s.app;
    let loaded = async {
        let me = identity::me(app, who).await?;
        let sessions = identity::sessions(app, who).await?;
        let memberships = tongban_app::organizations::memberships(app, &who.person_id).await?;
        let roles = tongban_app::access::roles(app, &who.person_id).await?;
        let mut channels = notify::notice_channels(app, &who.person_id).await?;
        // Without an address, e-mail is not offered (nor shown as chosen).
        let has_email = tongban_app::people::contact(app, &who.person_id).await?.email.is_some();
        channels.email &= has_email;
        Ok::<_, AppError>((me, sessions, memberships, roles, (channels, has_email)))
    };
    let (me, sessions, memberships, roles, (channels, has_email)) = loaded.await.map_err(|e| r.error(e))?;
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
    Ok(r.with_csrf(|csrf| {
        let page = AccountPage {
            f: &r.f,
            a,
            csrf,
            level: a.level(&me.assurance),
            can_verify: me.assurance == Assurance::L1,
            can_verify_phone: me.assurance == Assurance::L2,
            can_register_org: me.assurance >= Assurance::L2,
            me,
            channels,
            has_email,
            memberships: memberships
                .into_iter()
                .map(|m| MembershipRow {
                    role: if m.legal_rep { a.role_legal_rep } else { a.role_agent },
                    scopes: a.scope_list(&m.scopes),
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
        r.respond(status, &page)
    }))
}

async fn account(r: Req) -> Page {
    let who = r.signed_in().await?;
    let a = r.labels();
    let notice = match r.q.first("done") {
        Some("verified") => Some(a.verified),
        Some("revoked") => Some(a.revoked),
        Some("code_sent") => Some(a.code_sent),
        Some("phone_verified") => Some(a.phone_verified),
        Some("totp_on") => Some(a.totp_turned_on),
        Some("totp_off") => Some(a.totp_turned_off),
        Some("org_registered") => Some(a.org_registered),
        Some("switched") => Some(a.switched),
        Some("notices") => Some(a.notices_saved),
        _ => None,
    };
    account_page(&r, &who, StatusCode::OK, Extras { notice, ..Extras::default() }).await
}

/// Whether an action of my account raised the assurance level (the session is then replaced).
#[derive(PartialEq, Eq)]
enum Raised {
    Yes,
    No,
}

/// A form of my account: checks the CSRF token and the session, runs `act`, then sends the
/// person to my account with `?done=` — or shows the page again with the errors.
async fn account_action<Fut>(
    r: Req,
    form: QueryPairs,
    done: &str,
    act: impl FnOnce(Principal, QueryPairs) -> Fut,
) -> Page
where
    Fut: std::future::Future<Output = Result<Raised, AppError>>,
{
    let who = r.posted(&form).await?;
    match act(who.clone(), form).await {
        Ok(Raised::No) => Ok(see_other(&format!("/account?done={done}"))),
        Ok(Raised::Yes) => {
            let fresh = identity::rotate_session(&r.s.app, &who, &r.client()).await.map_err(|e| r.error(e))?;
            Ok(r.see_other_with_session(&format!("/account?done={done}"), &fresh.token))
        }
        Err(e) => {
            let (status, errors) = r.form_errors(e)?;
            account_page(&r, &who, status, Extras { errors, ..Extras::default() }).await
        }
    }
}

async fn verify(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "verified", |who, _| async move {
        identity::verify_real_name(&app, &who).await.map(|_| Raised::Yes)
    })
    .await
}

async fn send_code(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "code_sent", |who, _| async move {
        identity::send_phone_code(&app, &who).await.map(|()| Raised::No)
    })
    .await
}

async fn confirm_code(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "phone_verified", |who, form| async move {
        identity::confirm_phone_code(&app, &who, &field(&form, "code")).await.map(|_| Raised::Yes)
    })
    .await
}

async fn revoke(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "revoked", |who, form| async move {
        identity::revoke(&app, &who, &field(&form, "session")).await.map(|()| Raised::No)
    })
    .await
}

async fn choose_notices(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "notices", |who, form| async move {
        let on = |name: &str| form.first(name) == Some("on");
        let channels = NoticeChannels { sms: on("sms"), email: on("email") };
        notify::choose_channels(&app, &who.person_id, channels).await.map(|()| Raised::No)
    })
    .await
}

async fn begin_totp(r: Req, FormPairs(form): FormPairs) -> Page {
    let who = r.posted(&form).await?;
    let setup = identity::begin_totp(&r.s.app, &who).await.map_err(|e| r.error(e))?;
    account_page(&r, &who, StatusCode::OK, Extras { setup: Some(setup), ..Extras::default() }).await
}

async fn confirm_totp(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "totp_on", |who, form| async move {
        identity::confirm_totp(&app, &who, &field(&form, "totp")).await.map(|()| Raised::Yes)
    })
    .await
}

async fn disable_totp(r: Req, FormPairs(form): FormPairs) -> Page {
    let app = r.s.app.clone();
    account_action(r, form, "totp_off", |who, form| async move {
        identity::disable_totp(&app, &who, &field(&form, "totp")).await.map(|()| Raised::No)
    })
    .await
}
