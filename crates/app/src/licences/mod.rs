//! Electronic licences (电子证照): a licence sealed by its issuing agency's key, the trust list of
//! issuer keys signed by the platform's root key, and the check of a sealed licence against a
//! trust list — the same check on the server and offline (`tongban licence verify`).

use crate::identity::Principal;
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use tongban_crypto::seal::{self, ALGORITHM, Signer, SoftwareSeal};
use tongban_domain::LicenceId;
use tongban_domain::calendar::china_today;
use tongban_domain::identity::{AgentScope, Assurance, StaffRole};
use tongban_domain::licences::{
    HOLDER_CITIZEN, Licence, LicenceOperation, LicenceStatus, NewLicence, Seal, SignedLicence, StatusEntry, StatusList,
    TrustList, TrustedKey, licence_type,
};
use tongban_store::cases::CaseRow;
use tongban_store::licences::{LicenceEventRow, LicenceRow, SealKeyRow};

pub mod issue;
pub mod uses;

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
    Ok(key)
}

fn trusted(k: SealKeyRow) -> TrustedKey {
    TrustedKey {
        agency_code: k.agency_code,
        agency_name: k.agency_name,
        key_id: k.key_id,
        public_key: k.public_key,
        algorithm: ALGORITHM.into(),
    }
}

/// The sealing context of seal keys' secrets.
const SEAL_SECRET: &str = "seal.key";
/// Whose key signs the trust list.
const PLATFORM: &str = "platform";

/// The current seal of `agency_code`, made (and its secret sealed at rest) on first use. A key
/// retired by rotation stays on the trust list, so what it sealed stays verifiable.
async fn seal_of(app: &App, agency_code: &str, agency_name: &str) -> Result<SoftwareSeal, AppError> {
    for _ in 0..2 {
        if let Some(k) = app.store.seal_key(agency_code).await? {
            let secret = app.identity.vault().open(SEAL_SECRET, &k.secret_sealed).map_err(AppError::internal)?;
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
        secret_sealed: app.identity.vault().seal(SEAL_SECRET, &seal.secret_hex()).map_err(AppError::internal)?,
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
        return Err(crate::cases::stale());
    }
    app.store.retire_seal_key(&current.key_id, Utc::now()).await?;
    Ok(format!("{agency_code}-{}", keys.len() + 1))
}

/// The platform's own seal: it signs the trust list and stamps annotated copies.
async fn platform_seal(app: &App) -> Result<SoftwareSeal, AppError> {
    seal_of(app, PLATFORM, "一体化政务服务平台").await
}

/// The trust list: every issuing agency's keys, signed by the platform's root key.
pub async fn trust_list(app: &App) -> Result<TrustList, AppError> {
    let root = platform_seal(app).await?;
    let keys = app.store.seal_keys().await?.into_iter().filter(|k| k.agency_code != PLATFORM).map(trusted).collect();
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

/// Issues the licence an approved case produces, when its offering's result is a licence of a
/// known type: the case's holder, the issuing agency's seal, the application's answers on the
/// face. Once per case (a repeat returns the licence issued). `None` when the offering produces
/// no licence.
pub async fn issue_for_case(app: &App, case: &CaseRow) -> Result<Option<String>, AppError> {
    if let Some(l) = app.store.licence_of_case(&case.case_number).await? {
        return Ok(Some(l.id));
    }
    let guide = crate::cases::guide_of_case(app, case).await?;
    let o = &guide.offering;
    let Some(t) = (o.result.kind == "licence").then(|| licence_type(&o.result.name)).flatten() else {
        return Ok(None);
    };
    let (holder_name, holder_code) = if case.organization.is_empty() {
        crate::identity::name_and_citizen_id(app, &case.applicant_id).await?
    } else {
        let org = app
            .store
            .organization(&case.organization)
            .await?
            .ok_or(AppError::NotFound { what: "组织", what_en: "organization" })?;
        (org.name, org.credit_code)
    };
    // The face carries the application's answers under their labels, but not the applicant's phone.
    let form = o.form();
    let extension: serde_json::Map<String, Value> = crate::cases::case_answers(app, case)
        .await?
        .into_iter()
        .filter(|(name, _)| name != "phone")
        .map(|(name, v)| (form.field(&name).map_or(name, |f| f.label.clone()), v))
        .collect();
    let new = NewLicence {
        type_name: t.name.into(),
        issuer_code: o.agency.credit_code.clone(),
        issuer_name: o.agency.name.clone(),
        number: case.case_number.clone(),
        holder_name,
        holder_code,
        division_code: o.division_code.clone(),
        issued_on: None,
        valid_from: None,
        valid_to: None,
        item_name: o.item.name.clone(),
        item_code: o.item.code.clone(),
        extension,
    };
    let licence =
        new.build(china_today(), 1, None).map_err(|(f, e)| AppError::Internal(format!("licence {f}: {e}")))?;
    let holder = Holder {
        person: case.organization.is_empty().then(|| case.applicant_id.clone()),
        organization: case.organization.clone(),
    };
    let reason = format!("办件 {} 办结 (case concluded)", case.case_number);
    let id = seal_and_keep(
        app,
        licence,
        holder,
        Some(case.case_number.clone()),
        (LicenceOperation::Issue, &reason, ""),
        None,
    )
    .await?;
    tracing::info!(licence = %id, case = %case.case_number, "licence issued");
    Ok(Some(id))
}

/// Whose wallet a new licence goes to: a person's account (when known), or an organization.
struct Holder {
    person: Option<String>,
    organization: String,
}

/// Seals `licence` with its issuing agency's key and keeps it with its issue event; its
/// identifier. A licence whose identifier (or case) is taken is a conflict.
async fn seal_and_keep(
    app: &App,
    licence: Licence,
    holder: Holder,
    case_number: Option<String>,
    (operation, reason, actor_id): (LicenceOperation, &str, &str),
    replaced: Option<(&str, LicenceEventRow)>,
) -> Result<String, AppError> {
    let t = licence_type(&licence.type_name).ok_or_else(|| AppError::field("type_name", "未知的证照类型"))?;
    let seal = seal_of(app, &licence.issuer_code, &licence.issuer_name).await?;
    let holder_index = (licence.holder_code_type == HOLDER_CITIZEN)
        .then(|| crate::identity::citizen_index(app, &licence.holder_code))
        .flatten();
    let sealed = seal_licence(&seal, licence)?;
    let now = Utc::now();
    let row = LicenceRow {
        id: sealed.licence.id.clone(),
        type_code: t.code.into(),
        issuer_code: sealed.licence.issuer_code.clone(),
        holder_person: holder.person,
        holder_organization: holder.organization,
        status: LicenceStatus::Valid.code().into(),
        sealed: serde_json::to_string(&sealed).map_err(AppError::internal)?,
        case_number,
        valid_to: sealed.licence.valid_to,
        issued_at: now,
        holder_index,
    };
    let event = LicenceEventRow {
        licence_id: row.id.clone(),
        seq: 1,
        operation: operation.code().into(),
        status: row.status.clone(),
        actor_id: actor_id.into(),
        reason: reason.into(),
        at: now,
    };
    if !app.store.insert_licence(row, event, replaced).await? {
        return Err(AppError::Conflict {
            field: "number",
            message: format!("证照 {} 已签发 (already issued)", sealed.licence.id),
        });
    }
    Ok(sealed.licence.id)
}

/// What anyone learns of a licence from its identifier, without logging in.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    /// The seal matches the licence and the issuer's key is on the trust list.
    pub authentic: bool,
    /// 01 有效 … (05 when its validity has ended).
    pub status: String,
    pub status_name: String,
    #[serde(rename = "type")]
    pub licence_type: String,
    pub issuer: String,
    pub holder_masked: String,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
}

/// The status a licence has today: an expired validity reads as 05 失效.
fn status_today(row: &LicenceRow, today: chrono::NaiveDate) -> LicenceStatus {
    let stored = LicenceStatus::parse(&row.status).unwrap_or(LicenceStatus::Other);
    if stored == LicenceStatus::Valid && row.valid_to.is_some_and(|to| to < today) {
        LicenceStatus::Expired
    } else {
        stored
    }
}

fn sealed_of(row: &LicenceRow) -> Result<SignedLicence, AppError> {
    serde_json::from_str(&row.sealed).map_err(AppError::internal)
}

/// Public verification of licence `id` from `address`, which may make `verifications_per_minute`
/// of them a minute (a verifier with more to check uses the trust list and checks offline).
pub async fn public_verification(app: &App, address: &str, id: &str) -> Result<Verification, AppError> {
    if !app.verifications.admit(address) {
        return Err(AppError::RateLimited);
    }
    verification(app, id).await
}

/// Verification of licence `id` (unknown: 404).
pub async fn verification(app: &App, id: &str) -> Result<Verification, AppError> {
    const UNKNOWN: AppError = AppError::NotFound { what: "电子证照", what_en: "licence" };
    let id = LicenceId::parse(id).map_err(|_| UNKNOWN)?;
    let row = app.store.licence(id.as_str()).await?.ok_or(UNKNOWN)?;
    let sealed = sealed_of(&row)?;
    // The one key the seal names, from the keys this platform trusts: no trust list is signed
    // for a verification.
    let keys: Vec<TrustedKey> = app
        .store
        .seal_key_by_id(&sealed.seal.key_id)
        .await?
        .into_iter()
        .filter(|k| k.agency_code != PLATFORM)
        .map(trusted)
        .collect();
    let authentic = sealed.licence.id == row.id && verify_against(&sealed, &keys).is_ok();
    let status = status_today(&row, china_today());
    let l = sealed.licence;
    Ok(Verification {
        authentic,
        status: status.code().into(),
        status_name: status.name_zh().into(),
        licence_type: l.type_name,
        issuer: l.issuer_name,
        holder_masked: tongban_domain::mask::mask_name(&l.holder_name),
        valid_from: l.valid_from,
        valid_to: l.valid_to,
    })
}

/// A licence in its holder's wallet (我的证照).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WalletEntry {
    pub licence: Licence,
    pub status: String,
    pub status_name: String,
}

/// Binds to the account `person_id` the licences issued to its citizen id before it existed —
/// once its real name is verified (L2) and only those made out to that name.
async fn bind_own(app: &App, person_id: &str) -> Result<(), AppError> {
    let Some(p) = app.store.person(person_id).await? else { return Ok(()) };
    let unbound = app.store.unbound_licences(&p.citizen_id_index).await?;
    if unbound.is_empty() || Assurance::parse(&p.assurance).unwrap_or(Assurance::L1) < Assurance::L2 {
        return Ok(());
    }
    let (name, _) = crate::identity::name_and_citizen_id(app, person_id).await?;
    for row in unbound {
        if sealed_of(&row)?.licence.holder_name == name {
            app.store.bind_licence(&row.id, person_id).await?;
        }
    }
    Ok(())
}

/// The licences of the signed-in person, or of the organization they act for.
pub async fn wallet(app: &App, who: &Principal) -> Result<Vec<WalletEntry>, AppError> {
    let organization = match &who.acting {
        None => {
            bind_own(app, &who.person_id).await?;
            String::new()
        }
        Some(a) if a.scopes.contains(&AgentScope::Licences) => a.credit_code.clone(),
        Some(_) => return Err(AppError::Forbidden),
    };
    let today = china_today();
    app.store
        .licences_of(&who.person_id, &organization)
        .await?
        .into_iter()
        .map(|row| {
            let status = status_today(&row, today);
            Ok(WalletEntry {
                licence: sealed_of(&row)?.licence,
                status: status.code().into(),
                status_name: status.name_zh().into(),
            })
        })
        .collect()
}

/// Whether `who` holds `row`: as themselves, or acting for the organization holding it with the
/// scope of its licences.
fn held_by(row: &LicenceRow, who: &Principal) -> bool {
    match &who.acting {
        None => row.holder_person.as_deref() == Some(who.person_id.as_str()),
        Some(a) => a.scopes.contains(&AgentScope::Licences) && row.holder_organization == a.credit_code,
    }
}

/// Licence `id` of `who`'s (another's is a 404).
async fn own_licence(app: &App, who: &Principal, id: &str) -> Result<LicenceRow, AppError> {
    if who.acting.is_none() {
        bind_own(app, &who.person_id).await?;
    }
    let row = app.store.licence(id).await?.filter(|r| held_by(r, who));
    row.ok_or(AppError::NotFound { what: "电子证照", what_en: "licence" })
}

/// The sealed licence for export, to its holder only.
pub async fn export(app: &App, who: &Principal, id: &str) -> Result<SignedLicence, AppError> {
    sealed_of(&own_licence(app, who, id).await?)
}

/// One change in a licence's history: its issue and each status change.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenceEvent {
    pub seq: i32,
    /// 操作类型 code: 01 新发 …
    pub operation: String,
    pub operation_name: String,
    /// The status it left the licence in.
    pub status: String,
    pub status_name: String,
    pub reason: String,
    pub at: chrono::DateTime<Utc>,
}

/// A licence's history, oldest first, for its holder only.
pub async fn history(app: &App, who: &Principal, id: &str) -> Result<Vec<LicenceEvent>, AppError> {
    let row = own_licence(app, who, id).await?;
    Ok(app
        .store
        .licence_events(&row.id)
        .await?
        .into_iter()
        .map(|e| {
            let op = LicenceOperation::parse(&e.operation).unwrap_or(LicenceOperation::Other);
            let status = LicenceStatus::parse(&e.status).unwrap_or(LicenceStatus::Other);
            LicenceEvent {
                seq: e.seq,
                operation: e.operation,
                operation_name: op.name_zh().into(),
                status: e.status,
                status_name: status.name_zh().into(),
                reason: e.reason,
                at: e.at,
            }
        })
        .collect())
}

/// Moves every valid licence whose validity has ended to status 05 失效 with operation 04 过期失效
/// (verification reads them as 05 already; this puts it in their history and on the status
/// list). How many.
pub async fn expire_ended(app: &App) -> Result<usize, AppError> {
    let mut n = 0;
    loop {
        let ended = app.store.licences_ended(china_today(), 500).await?;
        if ended.is_empty() {
            return Ok(n);
        }
        for row in ended {
            let event = LicenceEventRow {
                licence_id: row.id.clone(),
                seq: 0,
                operation: LicenceOperation::Expire.code().into(),
                status: LicenceStatus::Expired.code().into(),
                actor_id: String::new(),
                reason: "有效期届满 (its validity ended)".into(),
                at: Utc::now(),
            };
            if app.store.change_licence_status(&row.status, event).await? {
                n += 1;
            }
        }
    }
}

/// A reason given for a change: 1 to 500 characters.
fn given_reason(text: &str) -> Result<&str, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(AppError::field("reason", "应填写 1 至 500 字的理由 (a reason of 1 to 500 characters)"));
    }
    Ok(text)
}

/// Whether `who` holds one of `roles` at the issuing agency over the licence's division.
async fn own_issuer(
    app: &App,
    who: &Principal,
    roles: &[StaffRole],
    issuer_code: &str,
    division_code: &str,
) -> Result<(), AppError> {
    crate::policy::authorize(app, who, crate::policy::Need::Staff(roles, Some((issuer_code, division_code)))).await
}

/// The statuses a status change sets: 02 暂扣, 01 (发还), 03 撤销, 04 注销, 07 吊销.
pub const SETTABLE: [LicenceStatus; 5] = [
    LicenceStatus::Suspended,
    LicenceStatus::Valid,
    LicenceStatus::Withdrawn,
    LicenceStatus::Cancelled,
    LicenceStatus::Revoked,
];

/// Suspends (暂扣), returns (发还), withdraws (撤销), revokes (吊销) or cancels (注销) a licence: by an
/// approver or agency administrator of the issuing agency, with a reason; recorded as an event.
pub async fn change_status(
    app: &App,
    who: &Principal,
    id: &str,
    to: LicenceStatus,
    reason: &str,
) -> Result<Verification, AppError> {
    let reason = given_reason(reason)?;
    let row = app.store.licence(id).await?.ok_or(AppError::NotFound { what: "电子证照", what_en: "licence" })?;
    let sealed = sealed_of(&row)?;
    own_issuer(
        app,
        who,
        &[StaffRole::Approver, StaffRole::AgencyAdmin],
        &row.issuer_code,
        &sealed.licence.division_code,
    )
    .await?;
    use LicenceStatus as S;
    let from = LicenceStatus::parse(&row.status).unwrap_or(S::Other);
    let operation = match (from, to) {
        (S::Valid, S::Suspended) => LicenceOperation::Suspend,
        (S::Suspended, S::Valid) => LicenceOperation::Return,
        (S::Valid | S::Suspended, S::Cancelled) => LicenceOperation::Cancel,
        (S::Valid | S::Suspended, S::Withdrawn | S::Revoked) => LicenceOperation::Other,
        _ => {
            return Err(AppError::Conflict {
                field: "status",
                message: format!("证照处于“{}”状态，不能改为“{}”", from.name_zh(), to.name_zh()),
            });
        }
    };
    let event = LicenceEventRow {
        licence_id: row.id.clone(),
        seq: 0,
        operation: operation.code().into(),
        status: to.code().into(),
        actor_id: who.person_id.clone(),
        reason: reason.into(),
        at: Utc::now(),
    };
    if !app.store.change_licence_status(&row.status, event).await? {
        return Err(crate::cases::stale());
    }
    verification(app, id).await
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
}
