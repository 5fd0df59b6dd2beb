//! Unified identity (统一身份认证), the person side: registration, login with lockout and
//! per-address throttling (and the second factor, `second_factor`), sessions (list, revoke,
//! idle and absolute timeouts); real-name verification (`registry`), phone codes and password
//! reset (`codes`), the key ring and re-sealing (`keys`).
//!
//! Id numbers, phones and emails are sealed before they reach the store and found through blind
//! indexes; pages and logs get masked values only.

use crate::access::Principal;
use crate::people::{self, CITIZEN_ID, EMAIL, NAME, PHONE};
use crate::{App, AppError};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::sync::Arc;
use tongban_crypto::{KeyRing, PasswordHasher, PasswordParams, Vault, totp};
use tongban_domain::CitizenId;
use tongban_domain::calendar::china_today;
use tongban_domain::identity::{Assurance, Lockout, Phone, check_password};
use tongban_domain::mask::{mask_name, mask_phone};
use tongban_store::identity::{CodeRow, PersonRow, SessionRow};

mod codes;
mod keys;
pub(crate) mod registry;
mod second_factor;

pub use codes::{confirm_phone_code, request_password_reset, reset_password, send_phone_code};
pub use keys::{load_or_create_keys, reseal, write_keys};
pub use registry::{RegistryReport, import_registry, remove_from_registry, replace_registry, verify_real_name};
pub use second_factor::{TotpSetup, begin_totp, confirm_totp, disable_totp};

/// Associated data of the sealed second-factor secret (the other sealed fields are `people`'s).
const TOTP: &str = "person.totp";

/// Login and session rules [configurable].
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub lockout: Lockout,
    pub attempts_per_minute: u32,
    pub session_idle: Duration,
    pub session_absolute: Duration,
}

impl Policy {
    pub fn of(c: &crate::Config) -> Self {
        Self {
            lockout: Lockout { max_failures: c.login_max_failures.max(1), lock_minutes: c.login_lock_minutes },
            attempts_per_minute: c.login_attempts_per_minute.max(1),
            session_idle: Duration::minutes(c.session_idle_minutes),
            session_absolute: Duration::hours(c.session_absolute_hours),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self::of(&crate::Config::default())
    }
}

/// What identity needs beside the store: the keys, the password hasher, the rules, and the
/// per-address attempt counts (in this process, or in Redis shared by every node).
pub struct Identity {
    vault: Arc<Vault>,
    hasher: PasswordHasher,
    pub policy: Policy,
    attempts: crate::limit::PerMinute,
    /// Argon2id runs at most this many at once: each takes 19 MiB, and a burst of registrations
    /// must not take the machine's memory.
    hashing: tokio::sync::Semaphore,
}

impl Identity {
    pub fn new(ring: KeyRing, policy: Policy, params: PasswordParams) -> Result<Self, AppError> {
        let hasher = PasswordHasher::new(params).map_err(AppError::internal)?;
        let attempts = crate::limit::PerMinute::new(policy.attempts_per_minute);
        let slots = 2 * std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Self {
            vault: Arc::new(Vault::new(ring)),
            hasher,
            policy,
            attempts,
            hashing: tokio::sync::Semaphore::new(slots),
        })
    }

    /// The vault of this identity's key ring, which `App::open` makes the app's.
    pub fn vault(&self) -> Arc<Vault> {
        self.vault.clone()
    }

    /// Counts attempts in `redis`, shared by every node.
    pub fn share_attempts(&mut self, redis: redis::aio::ConnectionManager) {
        self.attempts = crate::limit::PerMinute::new(self.policy.attempts_per_minute).shared(redis, "login");
    }

    /// Counts an attempt from `address`; false once it has made its minute's allowance.
    async fn admit(&self, address: &str) -> bool {
        self.attempts.admit(address).await
    }
}

/// Runs password hashing off the async threads, a bounded number at a time.
async fn hashing<T: Send + 'static>(
    app: &App,
    f: impl FnOnce(PasswordHasher) -> T + Send + 'static,
) -> Result<T, AppError> {
    let id = identity(app);
    let _slot = id.hashing.acquire().await.map_err(AppError::internal)?;
    let hasher = id.hasher.clone();
    tokio::task::spawn_blocking(move || f(hasher)).await.map_err(AppError::internal)
}

/// The CSRF token of a signed-in browser: a keyed digest of its session, so it is known only to
/// whoever sees the platform's pages in that session.
pub fn session_csrf(app: &App, session_token: &str) -> String {
    app.vault.blind_index("web.csrf", &tongban_crypto::sm3_hex(session_token.as_bytes()))
}

/// A fresh random token for a form's CSRF cookie (before login).
pub fn csrf_token() -> Result<String, AppError> {
    tongban_crypto::token().map_err(AppError::internal)
}

/// A registration form.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: String,
    pub citizen_id: String,
    pub phone: String,
    pub email: Option<String>,
    pub password: String,
}

/// A person as the person's own pages show them: personal data masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub citizen_id_masked: String,
    pub phone_masked: String,
    pub assurance: Assurance,
    /// Whether logins also need the code of an authenticator app.
    pub second_factor: bool,
}

/// Where a request comes from, as sessions record it.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

/// A live session, as the sessions list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    /// The digest of the session's token: names the session, does not open it.
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub address: String,
    pub user_agent: String,
}

/// A successful login: the token for the cookie (shown once, stored only as a digest).
#[derive(Debug)]
pub struct LoggedIn {
    pub token: String,
    pub principal: Principal,
}

fn identity(app: &App) -> &Identity {
    &app.identity
}

/// Registers a person. Throttled per address like logins: a taken number is reported (the form
/// must say why it fails), so registration must not become a fast way to test numbers.
pub async fn register(app: &App, form: NewPerson, client: &Client) -> Result<PersonView, AppError> {
    if !identity(app).admit(&client.address).await {
        return Err(AppError::RateLimited);
    }
    let mut fields = std::collections::BTreeMap::new();
    let name = form.name.trim().to_owned();
    if name.chars().count() < 2 || name.chars().count() > 30 || name.chars().any(|c| c.is_control()) {
        fields.insert("name".into(), "姓名应为 2 至 30 个字符 (2 to 30 characters)".into());
    }
    let citizen_id = CitizenId::parse(&form.citizen_id, china_today())
        .map_err(|e| fields.insert("citizen_id".into(), e.to_string()))
        .ok();
    let phone = Phone::parse(&form.phone).map_err(|e| fields.insert("phone".into(), e.into())).ok();
    let email = form.email.as_deref().map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned);
    if let Some(e) = &email
        && (e.len() > 254 || !e.contains('@') || e.starts_with('@') || e.ends_with('@'))
    {
        fields.insert("email".into(), "电子邮箱格式不正确 (not an email address)".into());
    }
    let own: Vec<&str> =
        [citizen_id.as_ref().map(CitizenId::as_str), phone.as_ref().map(Phone::as_str)].into_iter().flatten().collect();
    if let Err(e) = check_password(&form.password, &own) {
        fields.insert("password".into(), e.into());
    }
    let (Some(citizen_id), Some(phone), true) = (citizen_id, phone, fields.is_empty()) else {
        return Err(AppError::Validation { fields });
    };

    let id = identity(app);
    let vault = &app.vault;
    let hasher = id.hasher.clone();
    let password = form.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let row = PersonRow {
        id: tongban_crypto::token().map_err(AppError::internal)?[..22].to_owned(),
        name: name.clone(),
        citizen_id_sealed: vault.seal(CITIZEN_ID, citizen_id.as_str()).map_err(AppError::internal)?,
        citizen_id_index: vault.blind_index(CITIZEN_ID, citizen_id.as_str()),
        phone_sealed: vault.seal(PHONE, phone.as_str()).map_err(AppError::internal)?,
        phone_index: vault.blind_index(PHONE, phone.as_str()),
        email_sealed: email.map(|e| vault.seal(EMAIL, &e)).transpose().map_err(AppError::internal)?,
        assurance: Assurance::L1.as_str().into(),
        password_hash,
        failed_logins: 0,
        locked_until: None,
        created_at: Utc::now(),
        totp_sealed: None,
        totp_pending_sealed: None,
        totp_last_step: None,
        notice_channels: crate::notify::NoticeChannels::ALL.as_str().into(),
    };
    let view = PersonView {
        id: row.id.clone(),
        name,
        citizen_id_masked: citizen_id.masked(),
        phone_masked: mask_phone(phone.as_str()),
        assurance: Assurance::L1,
        second_factor: false,
    };
    // Which of the two numbers is in use, or whose, is not said: only what to do.
    app.store.insert_person(row).await.map_err(|e| match e {
        tongban_store::StoreError::Duplicate(_) => AppError::Conflict {
            field: "",
            message: "无法用这些信息注册：可能已有账号使用该证件号码或手机号码。请直接登录，或用“忘记口令”重置口令 \
                      (an account may already use this id number or phone: log in, or reset the password)"
                .into(),
        },
        e => e.into(),
    })?;
    tracing::info!(person = %view.id, name = %mask_name(&view.name), "person registered");
    Ok(view)
}

/// Logs in by id number or phone, with the code of the authenticator app when the person has
/// turned the second factor on. Wrong credentials say neither which part was wrong nor whether
/// the account exists; the configured run of failures (wrong passwords or codes) locks it.
pub async fn login(
    app: &App,
    identifier: &str,
    password: &str,
    second_factor: Option<&str>,
    client: &Client,
) -> Result<LoggedIn, AppError> {
    let id = identity(app);
    if !id.admit(&client.address).await {
        return Err(AppError::RateLimited);
    }
    let found = people::find(app, identifier).await?;
    let password = password.to_owned();
    let now = Utc::now();
    let Some(person) = found else {
        hashing(app, move |h| h.verify_nobody(&password)).await?;
        return Err(AppError::LoginFailed);
    };
    let locked = person.locked_until.filter(|u| *u > now);
    let stored = person.password_hash.clone();
    // Verify, and when the stored hash predates the current parameters, make one with them.
    let (ok, rehashed) = hashing(app, move |h| {
        let ok = h.verify(&password, &stored);
        (ok, (ok && h.needs_rehash(&stored)).then(|| h.hash(&password).ok()).flatten())
    })
    .await?;
    // Only whoever knows the password learns that the account is locked: to anyone else a locked
    // account answers like a wrong password, and so like an account that does not exist.
    if let Some(until) = locked {
        return Err(if ok { AppError::Locked { until: china_time(until) } } else { AppError::LoginFailed });
    }
    if !ok {
        return Err(failure(app, &person.id, AppError::LoginFailed).await);
    }
    if let Some(sealed) = &person.totp_sealed {
        match second_factor.map(str::trim).filter(|c| !c.is_empty()) {
            None => return Err(AppError::SecondFactorRequired),
            Some(code) => {
                let secret = app.vault.open(TOTP, sealed).map_err(AppError::internal)?;
                let accepted = match totp::verify(&secret, code, now.timestamp().max(0) as u64) {
                    Some(step) => app.store.use_totp_step(&person.id, step as i64).await?,
                    None => false,
                };
                if !accepted {
                    return Err(failure(app, &person.id, wrong_totp()).await);
                }
            }
        }
    }
    if person.failed_logins != 0 || person.locked_until.is_some() {
        app.store.set_login_state(&person.id, 0, None).await?;
    }
    if let Some(hash) = rehashed {
        app.store.set_password_hash(&person.id, &hash).await?;
    }
    let logged_in = open_session(app, &person, client).await?;
    tracing::info!(person = %person.id, "logged in");
    Ok(logged_in)
}

/// Counts a failed login (a wrong password or authenticator code) toward the lock; the error to
/// answer is `refusal` either way (the lock shows only to whoever then gives the password).
async fn failure(app: &App, person_id: &str, refusal: AppError) -> AppError {
    let lockout = identity(app).policy.lockout;
    let until = lockout.until(Utc::now());
    match app.store.record_login_failure(person_id, lockout.max_failures, until).await {
        Ok(true) => {
            tracing::warn!(person = %person_id, "account locked after repeated failed logins");
            refusal
        }
        Ok(false) => refusal,
        Err(e) => e.into(),
    }
}

fn wrong_totp() -> AppError {
    AppError::field("totp", "动态口令不正确或已用过 (wrong or used code)")
}

async fn open_session(app: &App, person: &PersonRow, client: &Client) -> Result<LoggedIn, AppError> {
    let token = tongban_crypto::token().map_err(AppError::internal)?;
    let now = Utc::now();
    let session = SessionRow {
        token_hash: tongban_crypto::sm3_hex(token.as_bytes()),
        person_id: person.id.clone(),
        created_at: now,
        last_seen_at: now,
        expires_at: now + identity(app).policy.session_absolute,
        address: client.address.chars().take(64).collect(),
        user_agent: client.user_agent.chars().take(200).collect(),
        revoked_at: None,
        acting_for: None,
    };
    let principal = principal(person, &session.token_hash)?;
    app.store.insert_session(session).await?;
    Ok(LoggedIn { token, principal })
}

/// Replaces the session with a new one (new token) after a privilege change, so that a token
/// seen before the change does not carry the new privileges.
pub async fn rotate_session(app: &App, who: &Principal, client: &Client) -> Result<LoggedIn, AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    let mut fresh = open_session(app, &person, client).await?;
    // Acting for an organization goes on in the new session (the grant is checked at every request).
    if let Some(acting) = &who.acting {
        app.store.set_acting_for(&fresh.principal.session_id, Some(&acting.credit_code)).await?;
        fresh.principal.acting = who.acting.clone();
    }
    app.store.revoke_session(&who.person_id, &who.session_id, Utc::now()).await?;
    Ok(fresh)
}

fn principal(person: &PersonRow, session_id: &str) -> Result<Principal, AppError> {
    Ok(Principal {
        person_id: person.id.clone(),
        session_id: session_id.to_owned(),
        name: person.name.clone(),
        assurance: assurance_of(person)?,
        acting: None,
    })
}

fn china_time(t: DateTime<Utc>) -> String {
    tongban_domain::calendar::china_time(t).format("%Y-%m-%d %H:%M").to_string()
}

/// The person behind a session token, if the session is live: not revoked, used within the idle
/// timeout, and within its absolute lifetime. Each use moves the idle deadline.
pub async fn authenticate(app: &App, token: &str) -> Result<Option<Principal>, AppError> {
    let hash = tongban_crypto::sm3_hex(token.as_bytes());
    let Some(session) = app.store.session(&hash).await? else { return Ok(None) };
    let now = Utc::now();
    let policy = identity(app).policy;
    if session.revoked_at.is_some() || session.expires_at <= now || session.last_seen_at + policy.session_idle <= now {
        return Ok(None);
    }
    let Some(person) = app.store.person(&session.person_id).await? else { return Ok(None) };
    // Recording every request would make each page a write; a minute's precision is enough.
    if now - session.last_seen_at > Duration::minutes(1) {
        app.store.touch_session(&hash, now).await?;
    }
    let mut who = principal(&person, &hash)?;
    if let Some(code) = &session.acting_for {
        // Checked on every request: a revoked or expired grant ends the acting at once.
        who.acting = crate::access::acting(app, &person.id, code).await?;
        if who.acting.is_none() {
            app.store.set_acting_for(&hash, None).await?;
        }
    }
    Ok(Some(who))
}

/// Ends the session of this token.
pub async fn logout(app: &App, who: &Principal) -> Result<(), AppError> {
    app.store.revoke_session(&who.person_id, &who.session_id, Utc::now()).await?;
    Ok(())
}

/// The person's live sessions, newest first.
pub async fn sessions(app: &App, who: &Principal) -> Result<Vec<SessionView>, AppError> {
    let idle = identity(app).policy.session_idle;
    let now = Utc::now();
    Ok(app
        .store
        .sessions_of(&who.person_id, now)
        .await?
        .into_iter()
        .filter(|s| s.last_seen_at + idle > now)
        .map(|s| SessionView {
            id: s.token_hash,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            address: s.address,
            user_agent: s.user_agent,
        })
        .collect())
}

/// Revokes one of the person's own sessions; another person's is "not found".
pub async fn revoke(app: &App, who: &Principal, session_id: &str) -> Result<(), AppError> {
    if app.store.revoke_session(&who.person_id, session_id, Utc::now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound { what: "会话", what_en: "session" })
    }
}

/// The person as their own pages show them.
pub async fn me(app: &App, who: &Principal) -> Result<PersonView, AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    let vault = &app.vault;
    let citizen_id = vault.open(CITIZEN_ID, &person.citizen_id_sealed).map_err(AppError::internal)?;
    let phone = vault.open(PHONE, &person.phone_sealed).map_err(AppError::internal)?;
    let assurance = assurance_of(&person)?;
    Ok(PersonView {
        id: person.id,
        name: person.name,
        citizen_id_masked: tongban_domain::mask::mask_citizen_id(&citizen_id),
        phone_masked: mask_phone(&phone),
        assurance,
        second_factor: person.totp_sealed.is_some(),
    })
}

/// A person's assurance level as stored.
fn assurance_of(person: &PersonRow) -> Result<Assurance, AppError> {
    Assurance::parse(&person.assurance)
        .ok_or_else(|| AppError::Internal(format!("person {} has assurance {}", person.id, person.assurance)))
}
