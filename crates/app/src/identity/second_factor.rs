//! The optional second factor: a TOTP authenticator app, set up and turned off by its codes.

use super::*;

/// Setting up the second factor: the secret for an authenticator app, as text and as the URI
/// its QR code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
}

/// Starts turning the second factor on: a new secret, kept aside until a code from it confirms.
/// With the second factor already on it must be turned off first (that needs a current code).
pub async fn begin_totp(app: &App, who: &Principal) -> Result<TotpSetup, AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    if person.totp_sealed.is_some() {
        return Err(AppError::field(
            "totp",
            "两步验证已开启，如需更换请先关闭 (already on; turn it off first to change it)",
        ));
    }
    let secret = totp::new_secret().map_err(AppError::internal)?;
    let vault = &app.vault;
    let pending = vault.seal(TOTP, &secret).map_err(AppError::internal)?;
    app.store.set_totp(&person.id, None, Some(&pending), None).await?;
    let phone = vault.open(PHONE, &person.phone_sealed).map_err(AppError::internal)?;
    let uri = totp::uri(&secret, "通办", &mask_phone(&phone));
    Ok(TotpSetup { secret, uri })
}

/// The step a code of the (sealed) secret matches now; a wrong code counts toward the lock.
async fn totp_step(app: &App, person_id: &str, sealed: &str, code: &str) -> Result<u64, AppError> {
    let secret = app.vault.open(TOTP, sealed).map_err(AppError::internal)?;
    match totp::verify(&secret, code, Utc::now().timestamp().max(0) as u64) {
        Some(step) => Ok(step),
        None => Err(failure(app, person_id, wrong_totp()).await),
    }
}

/// Turns the second factor on with a code from the new secret; that code is then used.
pub async fn confirm_totp(app: &App, who: &Principal, code: &str) -> Result<(), AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    let Some(pending) = person.totp_pending_sealed else {
        return Err(AppError::field("totp", "请先开始设置 (start the set-up first)"));
    };
    let step = totp_step(app, &person.id, &pending, code).await?;
    app.store.set_totp(&person.id, Some(&pending), None, Some(step as i64)).await?;
    tracing::info!(person = %person.id, "second factor on");
    Ok(())
}

/// Turns the second factor off; needs a current code not used before.
pub async fn disable_totp(app: &App, who: &Principal, code: &str) -> Result<(), AppError> {
    let person = app.store.person(&who.person_id).await?.ok_or(AppError::Unauthenticated)?;
    let Some(active) = person.totp_sealed else { return Ok(()) };
    let step = totp_step(app, &person.id, &active, code).await?;
    if !app.store.use_totp_step(&person.id, step as i64).await? {
        return Err(failure(app, &person.id, wrong_totp()).await);
    }
    app.store.set_totp(&person.id, None, None, None).await?;
    tracing::info!(person = %person.id, "second factor off");
    Ok(())
}
