//! The key ring on disk (created owner-only on first start) and re-sealing after a rotation.

use super::*;
use std::path::Path;

/// Reads the key ring at `path`, creating it (owner-only) with a fresh key when missing.
pub fn load_or_create_keys(path: &Path) -> Result<KeyRing, AppError> {
    let fail = |e: String| AppError::Internal(format!("key file {}: {e}", path.display()));
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let mut ring = KeyRing::from_text(&text).map_err(|e| fail(e.to_string()))?;
            if ring.token_signer().is_none() {
                // A ring from before tokens were signed: it gains a token key.
                ring.new_token_key(&format!("t{}", Utc::now().format("%Y%m%d"))).map_err(|e| fail(e.to_string()))?;
                write_keys(path, &ring)?;
            }
            Ok(ring)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let ring =
                KeyRing::generate(&format!("k{}", Utc::now().format("%Y%m%d"))).map_err(|e| fail(e.to_string()))?;
            write_keys(path, &ring)?;
            tracing::info!(path = %path.display(), "created a new key ring for personal data");
            Ok(ring)
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Writes the key ring, readable by the owner only.
pub fn write_keys(path: &Path, ring: &KeyRing) -> Result<(), AppError> {
    let fail = |e: std::io::Error| AppError::Internal(format!("key file {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let text = format!(
        "# Tongban key ring: keep it secret and backed up; without it personal data cannot be read.\n{}",
        ring.to_text()
    );
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Created owner-only: the keys are never readable by others, not even for a moment.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    std::io::Write::write_all(&mut file, text.as_bytes()).and_then(|()| file.sync_all()).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

/// Re-seals every person's personal data under the ring's current key (after `KeyRing::rotate`);
/// returns how many persons had values under older keys.
pub async fn reseal(app: &App) -> Result<usize, AppError> {
    let vault = &app.vault;
    let again = |field: &str, sealed: &str| vault.open(field, sealed).and_then(|v| vault.seal(field, &v));
    let mut changed = 0;
    for mut p in app.store.persons_sealed().await? {
        let optional = [p.email_sealed.as_deref(), p.totp_sealed.as_deref(), p.totp_pending_sealed.as_deref()];
        let stale = vault.is_stale(&p.citizen_id_sealed)
            || vault.is_stale(&p.phone_sealed)
            || optional.into_iter().flatten().any(|v| vault.is_stale(v));
        if !stale {
            continue;
        }
        p.citizen_id_sealed = again(CITIZEN_ID, &p.citizen_id_sealed).map_err(AppError::internal)?;
        p.phone_sealed = again(PHONE, &p.phone_sealed).map_err(AppError::internal)?;
        for (field, value) in
            [(EMAIL, &mut p.email_sealed), (TOTP, &mut p.totp_sealed), (TOTP, &mut p.totp_pending_sealed)]
        {
            if let Some(v) = value.as_deref() {
                *value = Some(again(field, v).map_err(AppError::internal)?);
            }
        }
        app.store.set_sealed(&p).await?;
        changed += 1;
    }
    Ok(changed)
}
