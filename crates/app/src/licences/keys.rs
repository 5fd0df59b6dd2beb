//! Seal keys and trust: each issuing agency's SM2 key (made on first use, its secret sealed at
//! rest, rotated), sealing a licence, the trust list of issuer keys and the status list signed by
//! the platform's root key, and the check of a sealed licence against them — the same check on
//! the server and offline (`tongban licence verify`).

use crate::{App, AppError};
use chrono::Utc;
use tongban_crypto::seal::{self, ALGORITHM, Signer, SoftwareSeal};
use tongban_domain::LicenceId;
use tongban_domain::licences::{Licence, Seal, SignedLicence, StatusEntry, StatusList, TrustList, TrustedKey};
use tongban_store::licences::SealKeyRow;

/// Seals `licence` with `signer`, the issuing agency's key.
pub fn seal_licence(signer: &dyn Signer, licence: Licence) -> Result<SignedLicence, AppError> {
    let signature = signer.sign(&licence.canonical()).map_err(AppError::internal)?;
    Ok(SignedLicence { seal: Seal { algorithm: ALGORITHM.into(), key_id: signer.key_id().into(), signature }, licence })
}

/// A trust list of `keys`, signed by `root`.
pub fn sign_trust_list(
    root: &dyn Signer,
    issued_at: &str,
    keys: Vec<TrustedKey>,
) -> Result<TrustList, crate::AppError> {
    let mut list = TrustList {
        issued_at: issued_at.into(),
        keys,
        root_key_id: root.key_id().into(),
        root_public_key: root.public_key(),
        signature: String::new(),
    };
    list.signature = root.sign(&list.canonical()).map_err(AppError::internal)?;
    Ok(list)
}

/// Checks a sealed licence against `trust`: the list's own signature, then `verify_against` its
/// keys. The key that sealed it, or why not (in Chinese and English).
pub fn verify_sealed<'t>(signed: &SignedLicence, trust: &'t TrustList) -> Result<&'t TrustedKey, String> {
    if !seal::verify(&trust.root_public_key, &trust.canonical(), &trust.signature) {
        return Err("信任列表的签名无效 (the trust list's signature is not valid)".into());
    }
    verify_against(signed, &trust.keys)
}

/// Checks a sealed licence against issuer keys already trusted: the identifier (its check
/// character, and that it names this licence's type, issuer and version), the issuer key among
/// `keys`, and the seal over the licence's canonical form.
pub fn verify_against<'k>(signed: &SignedLicence, keys: &'k [TrustedKey]) -> Result<&'k TrustedKey, String> {
    let l = &signed.licence;
    let id = LicenceId::parse(&l.id).map_err(|e| format!("证照标识无效 (the identifier is not valid): {e}"))?;
    if id.type_code() != l.type_code || id.issuer_code() != l.issuer_code || id.version() != l.version {
        return Err("证照标识与证照内容不符 (the identifier does not match the licence)".into());
    }
    if signed.seal.algorithm != ALGORITHM {
        return Err(format!("不支持的签名算法 (unsupported algorithm): {}", signed.seal.algorithm));
    }
    let key =
        keys.iter().find(|k| k.agency_code == l.issuer_code && k.key_id == signed.seal.key_id).ok_or_else(|| {
            format!(
                "签发机构的密钥 {} 不在信任列表中 (the issuer key {} is not on the trust list)",
                signed.seal.key_id, signed.seal.key_id
            )
        })?;
    if !seal::verify(&key.public_key, &l.canonical(), &signed.seal.signature) {
        return Err(
            "签章与证照内容不符：证照被改动或签章被替换 (the seal does not match: the licence was altered)".into()
        );
    }
    // A retired key seals nothing dated after the day it was retired (licences are never issued
    // ahead). Against a leaked key this stops only what is dated later — one backdated is stopped
    // by the platform's own record (online verification) and by revoking what it sealed.
    if let Some(retired) = &key.retired_at {
        let day = chrono::DateTime::parse_from_rfc3339(retired)
            .map_err(|_| format!("信任列表中密钥的停用时间无效 (the key's retirement time is not valid): {retired}"))?
            .date_naive();
        if l.issued_on > day {
            return Err(format!(
                "签发机构的密钥 {} 已于 {day} 停用，此后签发的证照不可信 (the issuer key was retired on {day}: \
                 a licence sealed with it after that is not trusted)",
                key.key_id
            ));
        }
    }
    Ok(key)
}

fn trusted(app: &App, k: SealKeyRow) -> Option<TrustedKey> {
    Some(TrustedKey {
        public_key: opened_public_key(app, &k)?,
        agency_code: k.agency_code,
        agency_name: k.agency_name,
        key_id: k.key_id,
        algorithm: ALGORITHM.into(),
        retired_at: k.retired_at.map(tongban_domain::calendar::china_rfc3339),
    })
}

/// Public keys of seal keys as their secrets give them, by key id, with the sealed secret each
/// came from (deriving one costs an SM2 multiplication: once per key and process).
#[derive(Default)]
pub struct OpenedKeys(std::sync::Mutex<std::collections::HashMap<String, (String, String)>>);

/// A seal key row's public key as the secret the key file opens gives it, never the row's own
/// column: a key row written into the database by someone without the key file names no key
/// its writer could seal or sign with. None, with a warning, when the secret does not open or
/// gives another key than the row says.
fn opened_public_key(app: &App, k: &SealKeyRow) -> Option<String> {
    let cached = |m: &std::collections::HashMap<String, (String, String)>| {
        m.get(&k.key_id).filter(|(sealed, _)| *sealed == k.secret_sealed).map(|(_, public)| public.clone())
    };
    if let Some(public) = app.opened_keys.0.lock().ok().and_then(|m| cached(&m)) {
        return Some(public);
    }
    let opened = app.vault.open(SEAL_SECRET, &k.secret_sealed).ok();
    let public =
        opened.and_then(|secret| SoftwareSeal::from_secret_hex(&k.key_id, &secret).ok()).map(|s| s.public_key());
    if public.as_deref() != Some(k.public_key.as_str()) {
        tracing::warn!(key = %k.key_id, "a seal key row whose secret does not open to its key: not trusted");
        return None;
    }
    if let Ok(mut m) = app.opened_keys.0.lock() {
        m.insert(k.key_id.clone(), (k.secret_sealed.clone(), k.public_key.clone()));
    }
    public
}

/// The issuer key a seal names, from the keys this platform trusts (the platform's own is no
/// issuer's): what verifying one licence checks against, with no trust list signed for it.
pub(super) async fn issuer_key(app: &App, key_id: &str) -> Result<Vec<TrustedKey>, AppError> {
    let key = app.store.seal_key_by_id(key_id).await?;
    Ok(key.into_iter().filter(|k| k.agency_code != PLATFORM).filter_map(|k| trusted(app, k)).collect())
}

/// The sealing context of seal keys' secrets.
const SEAL_SECRET: &str = "seal.key";
/// Whose key signs the trust list.
pub(super) const PLATFORM: &str = "platform";

/// The current seal of `agency_code`, made (and its secret sealed at rest) on first use. A key
/// retired by rotation stays on the trust list, so what it sealed stays verifiable.
pub(super) async fn seal_of(app: &App, agency_code: &str, agency_name: &str) -> Result<SoftwareSeal, AppError> {
    for _ in 0..2 {
        if let Some(k) = app.store.seal_key(agency_code).await? {
            let secret = app.vault.open(SEAL_SECRET, &k.secret_sealed).map_err(AppError::internal)?;
            return SoftwareSeal::from_secret_hex(&k.key_id, &secret).map_err(AppError::internal);
        }
        new_seal(app, agency_code, agency_name, 1).await?;
        // Made here or by another node at the same moment: read back what was kept.
    }
    Err(AppError::Internal(format!("no seal key for {agency_code}")))
}

/// Makes key number `n` of an agency; false when another node made it first.
async fn new_seal(app: &App, agency_code: &str, agency_name: &str, n: usize) -> Result<bool, AppError> {
    let seal = SoftwareSeal::generate(&format!("{agency_code}-{n}")).map_err(AppError::internal)?;
    let row = SealKeyRow {
        key_id: seal.key_id().to_owned(),
        agency_code: agency_code.to_owned(),
        agency_name: agency_name.to_owned(),
        public_key: seal.public_key(),
        secret_sealed: app.vault.seal(SEAL_SECRET, &seal.secret_hex()).map_err(AppError::internal)?,
        created_at: Utc::now(),
        retired_at: None,
    };
    Ok(app.store.insert_seal_key(row).await?)
}

/// Rotates an agency's seal key (`platform` for the root key): the current key is retired — it
/// stays on the trust list, so what it sealed stays verifiable — and a new one seals from now on.
/// The new key's id.
pub async fn rotate_seal(app: &App, agency_code: &str) -> Result<String, AppError> {
    let keys: Vec<SealKeyRow> =
        app.store.seal_keys().await?.into_iter().filter(|k| k.agency_code == agency_code).collect();
    let Some(current) = keys.iter().rev().find(|k| k.retired_at.is_none()) else {
        return Err(AppError::NotFound { what: "签章密钥", what_en: "seal key" });
    };
    if !new_seal(app, agency_code, &current.agency_name, keys.len() + 1).await? {
        return Err(AppError::stale());
    }
    app.store.retire_seal_key(&current.key_id, Utc::now()).await?;
    Ok(format!("{agency_code}-{}", keys.len() + 1))
}

/// The platform's own seal: it signs the trust list, stamps annotated copies and seals the
/// exchange call log.
pub(crate) async fn platform_seal(app: &App) -> Result<SoftwareSeal, AppError> {
    seal_of(app, PLATFORM, "一体化政务服务平台").await
}

/// Every key the platform's own seal has had, current and rotated (key id → public key, as the
/// key file opens it): what may have signed the call log's batches and the audit chain's heads.
pub(crate) async fn platform_keys(app: &App) -> Result<Vec<(String, String)>, AppError> {
    let rows = app.store.seal_keys().await?.into_iter().filter(|k| k.agency_code == PLATFORM);
    Ok(rows.filter_map(|k| Some((k.key_id.clone(), opened_public_key(app, &k)?))).collect())
}

/// The trust list: every issuing agency's keys, signed by the platform's root key.
pub async fn trust_list(app: &App) -> Result<TrustList, AppError> {
    let root = platform_seal(app).await?;
    let keys = app
        .store
        .seal_keys()
        .await?
        .into_iter()
        .filter(|k| k.agency_code != PLATFORM)
        .filter_map(|k| trusted(app, k))
        .collect();
    sign_trust_list(&root, &Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), keys)
}

/// The status list: every licence not valid, signed by the platform's root key.
pub async fn status_list(app: &App) -> Result<StatusList, AppError> {
    let root = platform_seal(app).await?;
    let entries = app
        .store
        .licence_statuses_not_valid()
        .await?
        .into_iter()
        .map(|(licence_id, status)| StatusEntry { licence_id, status })
        .collect();
    let mut list = StatusList {
        issued_at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        entries,
        root_key_id: root.key_id().into(),
        signature: String::new(),
    };
    list.signature = root.sign(&list.canonical()).map_err(AppError::internal)?;
    Ok(list)
}

/// Whether `list` is signed by the root key of `trust`.
pub fn status_list_signed(list: &StatusList, trust: &TrustList) -> bool {
    list.root_key_id == trust.root_key_id && seal::verify(&trust.root_public_key, &list.canonical(), &list.signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::licences::testing::sample;

    fn trusted_seal(seal: &SoftwareSeal) -> TrustedKey {
        TrustedKey {
            agency_code: "1111010143783071XP".into(),
            agency_name: "北京市东城区市场监督管理局".into(),
            key_id: seal.key_id().into(),
            public_key: seal.public_key(),
            algorithm: ALGORITHM.into(),
            retired_at: None,
        }
    }

    #[test]
    fn a_sealed_licence_verifies_and_every_kind_of_tampering_is_named() {
        let (issuer, root) = (SoftwareSeal::generate("dc-1").unwrap(), SoftwareSeal::generate("root-1").unwrap());
        let trust = sign_trust_list(&root, "2026-11-25T00:00:00Z", vec![trusted_seal(&issuer)]).unwrap();
        let signed = seal_licence(&issuer, sample()).unwrap();
        assert_eq!(verify_sealed(&signed, &trust).unwrap().key_id, "dc-1");

        let mut altered = signed.clone();
        altered.licence.holder_name = "李四".into();
        assert!(verify_sealed(&altered, &trust).unwrap_err().contains("altered"));
        let mut forged = signed.clone();
        forged.seal = seal_licence(&SoftwareSeal::generate("dc-1").unwrap(), sample()).unwrap().seal;
        assert!(verify_sealed(&forged, &trust).is_err(), "a key of the same name that is not on the list");
        let mut unknown = signed.clone();
        unknown.seal.key_id = "dc-9".into();
        assert!(verify_sealed(&unknown, &trust).unwrap_err().contains("not on the trust list"));
        let mut renumbered = signed.clone();
        renumbered.licence.version = 2;
        assert!(verify_sealed(&renumbered, &trust).unwrap_err().contains("identifier"));
        let mut list = trust.clone();
        list.keys.push(trusted_seal(&SoftwareSeal::generate("evil").unwrap()));
        assert!(verify_sealed(&signed, &list).unwrap_err().contains("trust list"));
    }

    #[test]
    fn a_retired_key_is_trusted_for_what_it_sealed_until_the_day_it_was_retired() {
        let (issuer, root) = (SoftwareSeal::generate("dc-1").unwrap(), SoftwareSeal::generate("root-1").unwrap());
        let signed = seal_licence(&issuer, sample()).unwrap();
        let day = signed.licence.issued_on;
        let retired = |d: chrono::NaiveDate| {
            let key = TrustedKey { retired_at: Some(format!("{d}T18:00:00+08:00")), ..trusted_seal(&issuer) };
            sign_trust_list(&root, "2026-11-25T00:00:00Z", vec![key]).unwrap()
        };
        assert!(verify_sealed(&signed, &retired(day)).is_ok(), "sealed on the day it was retired");
        let err = verify_sealed(&signed, &retired(day - chrono::Duration::days(1))).unwrap_err();
        assert!(err.contains("已于") && err.contains("retired"), "{err}");
        let mut list = retired(day);
        list.keys[0].retired_at = Some("yesterday".into());
        assert!(verify_sealed(&signed, &list).is_err(), "the list's signature covers the retirement");
    }
}
