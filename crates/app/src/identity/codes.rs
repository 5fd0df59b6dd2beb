//! One-time codes texted to the registered phone: verifying the phone (L3) and resetting a
//! forgotten password.

use super::*;
use crate::notify::{self, Message};

/// One-time codes to the registered phone: 6 digits, valid 5 minutes, 5 tries, one send a minute.
/// Purposes: verifying the phone (L3) and resetting the password.
const PHONE_CODE: &str = "phone";
const RESET_CODE: &str = "reset";
const CODE_DIGITS: u32 = 6;
const CODE_MINUTES: i64 = 5;
const CODE_TRIES: u32 = 5;
const CODE_RESEND_SECS: i64 = 60;

/// Codes are stored keyed (a blind index): a copy of the database does not let anyone try all
/// million codes offline.
fn code_hash(app: &App, person_id: &str, code: &str) -> String {
    app.vault.blind_index("one_time_code", &format!("{person_id}:{code}"))
}

/// Texts a fresh code for `purpose` to the person's registered phone (at most one a minute).
async fn text_code(app: &App, person: &PersonRow, purpose: &str) -> Result<(), AppError> {
    let now = Utc::now();
    if let Some(last) = app.store.code(&person.id, purpose).await?
        && now - last.sent_at < Duration::seconds(CODE_RESEND_SECS)
    {
        return Err(AppError::RateLimited);
    }
    let code = tongban_crypto::digits(CODE_DIGITS).map_err(AppError::internal)?;
    app.store
        .put_code(CodeRow {
            person_id: person.id.clone(),
            purpose: purpose.into(),
            code_hash: code_hash(app, &person.id, &code),
            sent_at: now,
            expires_at: now + Duration::minutes(CODE_MINUTES),
            attempts: 0,
        })
        .await?;
    let message = if purpose == RESET_CODE {
        Message::PasswordReset { code, minutes: CODE_MINUTES }
    } else {
        Message::PhoneCode { code, minutes: CODE_MINUTES }
    };
    notify::send(app, &person.id, message).await
}

/// Checks a code for `purpose`: each check uses up one of its tries first (so parallel guesses
/// count too); used up on success, dead after its tries or its time.
async fn check_code(app: &App, person_id: &str, purpose: &str, code: &str) -> Result<(), AppError> {
    let bad = |m: &str| AppError::field("code", m);
    let Some(sent) = app.store.code(person_id, purpose).await? else {
        return Err(bad("请先获取验证码 (request a code first)"));
    };
    if sent.expires_at <= Utc::now() || !app.store.take_code_try(person_id, purpose, CODE_TRIES).await? {
        app.store.delete_code(person_id, purpose).await?;
        return Err(bad("验证码已失效，请重新获取 (the code has expired; request a new one)"));
    }
    if code_hash(app, person_id, code.trim()) != sent.code_hash {
        return Err(bad("验证码不正确 (wrong code)"));
    }
    app.store.delete_code(person_id, purpose).await?;
    Ok(())
}

/// Sends a one-time code to the person's registered phone, the step from L2 to L3.
pub async fn send_phone_code(app: &App, who: &Principal) -> Result<(), AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    if assurance_of(&person)? < Assurance::L2 {
        return Err(AppError::field("assurance", "请先完成实名核验 (verify your real name first)"));
    }
    text_code(app, &person, PHONE_CODE).await
}

/// Checks the code sent to the phone; a match raises the person to L3.
pub async fn confirm_phone_code(app: &App, who: &Principal, code: &str) -> Result<Assurance, AppError> {
    check_code(app, &who.person_id, PHONE_CODE, code).await?;
    app.store.set_assurance(&who.person_id, Assurance::L3.as_str()).await?;
    tracing::info!(person = %who.person_id, "phone verified: L3");
    Ok(Assurance::L3)
}

/// Forgotten password, step 1: texts a reset code to the registered phone of the account the id
/// number or phone names. Answers the same whether or not there is such an account.
pub async fn request_password_reset(app: &App, identifier: &str, client: &Client) -> Result<(), AppError> {
    if !identity(app).admit(&client.address).await {
        return Err(AppError::RateLimited);
    }
    match people::find(app, identifier).await? {
        Some(person) => match text_code(app, &person, RESET_CODE).await {
            // A second request within the minute: the first code is still on its way.
            Err(AppError::RateLimited) => Ok(()),
            other => other,
        },
        None => Ok(()),
    }
}

/// Forgotten password, step 2: the code and a new password. Every session of the account ends
/// and a lock is lifted. An unknown account, a missing, wrong or dead code all get one answer.
pub async fn reset_password(
    app: &App,
    identifier: &str,
    code: &str,
    password: &str,
    client: &Client,
) -> Result<(), AppError> {
    if !identity(app).admit(&client.address).await {
        return Err(AppError::RateLimited);
    }
    // The rule any password must keep, checked before anything that depends on the account.
    check_password(password, &[]).map_err(|e| AppError::field("password", e))?;
    let refused = || AppError::field("code", "验证码不正确或已失效 (wrong or expired code)");
    let Some(person) = people::find(app, identifier).await? else { return Err(refused()) };
    check_code(app, &person.id, RESET_CODE, code).await.map_err(|_| refused())?;
    let vault = &app.vault;
    let citizen_id = vault.open(CITIZEN_ID, &person.citizen_id_sealed).map_err(AppError::internal)?;
    let phone = vault.open(PHONE, &person.phone_sealed).map_err(AppError::internal)?;
    check_password(password, &[&citizen_id, &phone]).map_err(|e| AppError::field("password", e))?;
    let password = password.to_owned();
    let hash = hashing(app, move |h| h.hash(&password)).await?.map_err(AppError::internal)?;
    app.store.set_password_hash(&person.id, &hash).await?;
    app.store.set_login_state(&person.id, 0, None).await?;
    let ended = app.store.revoke_all_sessions(&person.id, Utc::now()).await?;
    tracing::info!(person = %person.id, sessions_ended = ended, "password reset by phone code");
    Ok(())
}
