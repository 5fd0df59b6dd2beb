//! Electronic licences (电子证照): issued on an approved conclusion (and by administrators,
//! `issue`), kept sealed by the issuing agency's key (`keys`), verified publicly, in their holder's
//! wallet with their history, changed in status by the issuing agency, used instead of materials
//! (`uses`).

use crate::access::Principal;
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use serde_json::Value;
use tongban_domain::LicenceId;
use tongban_domain::calendar::china_today;
use tongban_domain::catalog::Offering;
use tongban_domain::identity::{AgentScope, Assurance, StaffRole};
use tongban_domain::licences::{
    HOLDER_CITIZEN, HOLDER_ORGANIZATION, Licence, LicenceOperation, LicenceStatus, LicenceType, NewLicence,
    SignedLicence, licence_type,
};
use tongban_store::cases::{CaseRow, Notice};
use tongban_store::licences::{LicenceEventRow, LicenceRow};
use tongban_store::outbound::OutboundRow;

pub mod issue;
mod keys;
pub mod uses;

pub use keys::{
    OpenedKeys, rotate_seal, seal_licence, sign_trust_list, status_list, status_list_signed, trust_list,
    verify_against, verify_sealed,
};
use keys::{PLATFORM, issuer_key, seal_of};
pub(crate) use keys::{platform_keys, platform_seal};

/// The licence type an offering's result is, when it is a licence this platform issues.
pub(crate) fn licence_type_of(o: &Offering) -> Option<&'static LicenceType> {
    (o.result.kind == "licence").then(|| licence_type(&o.result.name)).flatten()
}

/// Issues the licence due for a concluded case, right after the conclusion's commit; a failure is
/// recorded on its due mark (and logged), and `issue_all_due` tries again.
pub(crate) async fn issue_due(app: &App, case: &CaseRow) {
    if let Err(e) = issue_for_case(app, case).await {
        tracing::error!(case = %case.case_number, error = %e, "licence not issued yet; retried by the sweep");
        if let Err(e2) = app.store.licence_due_failed(&case.case_number, Some(&e.to_string())).await {
            tracing::error!(case = %case.case_number, error = %e2, "recording the failed licence issue failed");
        }
    }
}

/// Issues every licence still due (the supervision sweep); how many were issued, and how many
/// failed again.
pub async fn issue_all_due(app: &App) -> Result<(usize, usize), AppError> {
    let (mut issued, mut failed) = (0, 0);
    for due in app.store.licences_due(100).await? {
        let Some(case) = app.store.case(&due.case_number).await? else {
            app.store.licence_due_failed(&due.case_number, None).await?;
            continue;
        };
        match issue_for_case(app, &case).await {
            Ok(Some(_)) => {
                // Issued now, or found issued (the mark went with the licence's insert, or goes now).
                app.store.licence_due_failed(&due.case_number, None).await?;
                issued += 1;
            }
            Ok(None) => app.store.licence_due_failed(&due.case_number, None).await?,
            Err(e) => {
                app.store.licence_due_failed(&due.case_number, Some(&e.to_string())).await?;
                failed += 1;
            }
        }
    }
    Ok((issued, failed))
}

/// Issues the licence an approved case produces, when its offering's result is a licence of a
/// known type: the case's holder, the issuing agency's seal, the application's answers on the
/// face. Once per case (a repeat returns the licence issued). `None` when the offering produces
/// no licence.
pub async fn issue_for_case(app: &App, case: &CaseRow) -> Result<Option<String>, AppError> {
    if let Some(l) = app.store.licence_of_case(&case.case_number).await? {
        return Ok(Some(l.id));
    }
    let guide = crate::case_access::guide_of_case(app, case).await?;
    let o = &guide.offering;
    let Some(t) = licence_type_of(o) else { return Ok(None) };
    let (holder_name, holder_code) = if case.organization.is_empty() {
        crate::people::name_and_citizen_id(app, &case.applicant_id).await?
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
    let extension: serde_json::Map<String, Value> = crate::case_access::case_answers(app, case)
        .await?
        .into_iter()
        .filter(|(name, _)| name != "phone")
        .map(|(name, v)| (form.field(&name).map_or(name, |f| f.label.clone()), v))
        .collect();
    // A licence that registers a subject is made out to it, under the credit code issued for it
    // now; any other carries a number of its own, the case's.
    let (number, holder_name, holder_code) = match &t.registers {
        Some(reg) => {
            let code = registered_code(reg.credit_code_prefix, &o.agency.division_code, &case.case_number)?;
            let named = extension.get(reg.name_field).and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty());
            (code.clone(), named.map_or(holder_name, str::to_owned), code)
        }
        None => (case.case_number.clone(), holder_name, holder_code),
    };
    let new = NewLicence {
        type_name: t.name.into(),
        issuer_code: o.agency.credit_code.clone(),
        issuer_name: o.agency.name.clone(),
        number,
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
    let told = issued_notice(app, case, &licence, holder.person.is_some()).await?;
    let messages = told.1.clone();
    let id = seal_and_keep(
        app,
        licence,
        holder,
        Some(case.case_number.clone()),
        (LicenceOperation::Issue, &reason, ""),
        None,
        Some(told),
    )
    .await?;
    crate::notify::first_attempt(app, messages);
    tracing::info!(licence = %id, case = %case.case_number, "licence issued");
    Ok(Some(id))
}

/// The applicant's message, text and e-mail that their case's licence is issued, linking to it
/// (a person's licence in their wallet; an organization's through the case page, as whoever
/// acts for it reaches it there).
async fn issued_notice(
    app: &App,
    case: &CaseRow,
    licence: &Licence,
    personal: bool,
) -> Result<(Notice, Vec<OutboundRow>), AppError> {
    let title = format!("办件 {}：电子证照《{}》已签发", case.case_number, licence.type_name);
    let body = format!("证照编号 {}。可在“我的证照”查看、下载 PDF，或出示给核验人员扫码核验。", licence.number);
    let notice = Notice {
        id: crate::notify::message_id()?,
        person_id: case.applicant_id.clone(),
        title: title.clone(),
        body: body.clone(),
    };
    let page = if personal { format!("/licences/{}", licence.id) } else { format!("/cases/{}", case.case_number) };
    let to = crate::notify::recipient(app, &case.applicant_id, Some(&case.case_number)).await?;
    let rows = crate::notify::case_changed(app, &to, &case.case_number, (title, body), app.notify.link(&page))?;
    Ok((notice, rows))
}

/// The credit code (GB 32100) a registration authority of `division` issues on case
/// `case_number`: the same for the same case, so a retried issue gives the same code.
fn registered_code(prefix: &str, division: &str, case_number: &str) -> Result<String, AppError> {
    let division = tongban_domain::codes::DivisionCode::parse(division).map_err(AppError::internal)?;
    let digest = tongban_crypto::sm3_hex(format!("统一社会信用代码:{case_number}").as_bytes());
    let seed: Vec<u8> = (0..8).filter_map(|i| u8::from_str_radix(&digest[2 * i..2 * i + 2], 16).ok()).collect();
    let code = tongban_domain::codes::CreditCode::issue(prefix, &division, &seed).map_err(AppError::internal)?;
    Ok(code.as_str().to_owned())
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
    told: Option<(Notice, Vec<OutboundRow>)>,
) -> Result<String, AppError> {
    let t = licence_type(&licence.type_name).ok_or_else(|| AppError::field("type_name", "未知的证照类型"))?;
    let seal = seal_of(app, &licence.issuer_code, &licence.issuer_name).await?;
    let holder_index = (licence.holder_code_type == HOLDER_CITIZEN)
        .then(|| crate::people::citizen_index(app, &licence.holder_code))
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
    if !app.store.insert_licence(row, event, replaced, told).await? {
        return Err(AppError::Conflict {
            field: "number",
            message: format!("证照 {} 已签发 (already issued)", sealed.licence.id),
        });
    }
    Ok(sealed.licence.id)
}

/// What anyone learns of a licence from its identifier, without logging in: what an inspector
/// compares with the paper in front of them — the number, the holder (an organization by its name
/// and credit code, as its licence shows them publicly; a person masked), the validity and the
/// status now.
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
    /// 证照编号, as printed.
    pub number: String,
    pub issuer: String,
    /// An organization's name in full; a person's masked (张*).
    pub holder: String,
    /// An organization's 统一社会信用代码; none for a person.
    pub holder_credit_code: Option<String>,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    /// When this verification was made, China time (RFC 3339, +08:00).
    pub checked_at: String,
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
    if !app.verifications.admit(address).await {
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
    let keys = issuer_key(app, &sealed.seal.key_id).await?;
    let authentic = sealed.licence.id == row.id && verify_against(&sealed, &keys).is_ok();
    let status = status_today(&row, china_today());
    let l = sealed.licence;
    let organization = l.holder_code_type == HOLDER_ORGANIZATION;
    Ok(Verification {
        authentic,
        status: status.code().into(),
        status_name: status.name_zh().into(),
        licence_type: l.type_name,
        number: l.number,
        issuer: l.issuer_name,
        holder: if organization { l.holder_name } else { tongban_domain::mask::mask_name(&l.holder_name) },
        holder_credit_code: organization.then_some(l.holder_code),
        valid_from: l.valid_from,
        valid_to: l.valid_to,
        checked_at: tongban_domain::calendar::china_rfc3339(Utc::now()),
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
    let (name, _) = crate::people::name_and_citizen_id(app, person_id).await?;
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
        None => holds(row, &who.person_id, ""),
        Some(a) => a.scopes.contains(&AgentScope::Licences) && holds(row, "", &a.credit_code),
    }
}

/// Whether `row` is the licence of the organization `organization`, or (none given) of the person.
fn holds(row: &LicenceRow, person_id: &str, organization: &str) -> bool {
    if organization.is_empty() {
        row.holder_person.as_deref() == Some(person_id)
    } else {
        row.holder_organization == organization
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

/// The case a licence of its holder came of, if it came of one (its rating's QR code).
pub async fn case_of(app: &App, who: &Principal, id: &str) -> Result<Option<String>, AppError> {
    Ok(own_licence(app, who, id).await?.case_number)
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
    crate::access::authorize(app, who, crate::access::Need::Staff(roles, Some((issuer_code, division_code)))).await
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
        return Err(AppError::stale());
    }
    verification(app, id).await
}
