//! Licences issued by an administrator of the issuing agency (or the platform's) rather than by a
//! case: one at a time, a file of them (migrating legacy certificates, each line checked, rejects
//! reported by line), and renewal (延续) as a new version linked to its predecessor.

use super::{Holder, own_issuer, seal_and_keep, sealed_of, status_today};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use std::collections::BTreeMap;
use tongban_domain::calendar::china_today;
use tongban_domain::identity::StaffRole;
use tongban_domain::licences::{HOLDER_CITIZEN, LicenceOperation, LicenceStatus, NewLicence};
use tongban_store::licences::LicenceEventRow;

/// Who issues directly: the issuing agency's administrators, or the platform's.
pub(super) const ISSUERS: &[StaffRole] = &[StaffRole::PlatformAdmin, StaffRole::AgencyAdmin];

/// Issues `new` for its issuing agency, an agency of the catalog under its catalog name; its
/// identifier. A citizen's licence reaches their wallet once their real name is verified and
/// matches the holder's (`bind_own`).
pub async fn issue(app: &App, who: &Principal, new: NewLicence) -> Result<String, AppError> {
    let licence = new.build(china_today(), 1, None).map_err(|(f, e)| AppError::field(f, e))?;
    own_issuer(app, who, ISSUERS, &licence.issuer_code, &licence.division_code).await?;
    let known = app.store.agency_names(std::slice::from_ref(&licence.issuer_code)).await?;
    match known.first() {
        None => return Err(AppError::field("issuer_code", "目录中没有该机构 (no such agency in the catalog)")),
        Some((_, name)) if *name != licence.issuer_name => {
            return Err(AppError::field(
                "issuer_name",
                format!("与目录中的机构名称不符 (the catalog names it): {name}"),
            ));
        }
        Some(_) => {}
    }
    // A citizen's licence waits for their verified account (`bind_own`); an organization holds its own.
    let organization =
        if licence.holder_code_type == HOLDER_CITIZEN { String::new() } else { licence.holder_code.clone() };
    let holder = Holder { person: None, organization };
    let reason = "管理员签发 (issued by an administrator)";
    seal_and_keep(app, licence, holder, None, (LicenceOperation::Issue, reason, &who.person_id), None, None).await
}

/// The outcome of an import: what was issued, and each line refused with why.
#[derive(Debug, Default, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueReport {
    /// The identifiers issued.
    pub issued: Vec<String>,
    /// Line number (1-based) → reason.
    pub rejected: BTreeMap<usize, String>,
}

/// The most lines one import may hold.
pub const MAX_LINES: usize = 10_000;

/// Issues a file of licences, one `NewLicence` as JSON a line; each line on its own (a refused
/// line stops nothing). Importing the same file again issues nothing new: each line is refused as
/// already issued.
pub async fn import(app: &App, who: &Principal, text: &str) -> Result<IssueReport, AppError> {
    crate::access::authorize(app, who, crate::access::Need::StaffAnywhere(ISSUERS)).await?;
    let lines: Vec<(usize, &str)> =
        text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l)).collect();
    if lines.len() > MAX_LINES {
        return Err(AppError::field("file", format!("每次最多导入 {MAX_LINES} 行 (at most {MAX_LINES} lines)")));
    }
    let mut report = IssueReport::default();
    for (n, line) in lines {
        let outcome = match serde_json::from_str::<NewLicence>(line) {
            Ok(new) => issue(app, who, new).await,
            Err(e) => Err(AppError::field("line", format!("JSON 无效 (invalid JSON): {e}"))),
        };
        match outcome {
            Ok(id) => report.issued.push(id),
            // Not the line's fault: the import stops, and the cause is logged, not shown.
            Err(e @ (AppError::Internal(_) | AppError::Store(_) | AppError::Unavailable { .. })) => return Err(e),
            Err(AppError::Validation { fields }) => {
                let why = fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ");
                report.rejected.insert(n, why);
            }
            Err(e) => {
                report.rejected.insert(n, e.to_string());
            }
        }
    }
    tracing::info!(issued = report.issued.len(), rejected = report.rejected.len(), "licences imported");
    Ok(report)
}

/// Renews (延续) a valid licence: a new version with the same number, fields and holder, valid
/// until `valid_to` (default: by its type from today), linked to its predecessor, which becomes
/// 05 失效. The new version's identifier.
pub async fn renew(
    app: &App,
    who: &Principal,
    id: &str,
    valid_to: Option<chrono::NaiveDate>,
    reason: &str,
) -> Result<String, AppError> {
    let reason = super::given_reason(reason)?;
    let row = app.store.licence(id).await?.ok_or(AppError::NotFound { what: "电子证照", what_en: "licence" })?;
    let old = sealed_of(&row)?.licence;
    own_issuer(app, who, &[StaffRole::Approver, StaffRole::AgencyAdmin], &row.issuer_code, &old.division_code).await?;
    let today = china_today();
    if !matches!(status_today(&row, today), LicenceStatus::Valid | LicenceStatus::Expired) {
        return Err(AppError::Conflict {
            field: "status",
            message: "只有有效或到期的证照可以延续 (only a valid or expired licence is renewed)".into(),
        });
    }
    let new = NewLicence {
        type_name: old.type_name.clone(),
        issuer_code: old.issuer_code.clone(),
        issuer_name: old.issuer_name.clone(),
        number: old.number.clone(),
        holder_name: old.holder_name.clone(),
        holder_code: old.holder_code.clone(),
        division_code: old.division_code.clone(),
        issued_on: Some(today),
        valid_from: Some(today),
        valid_to,
        item_name: old.item_name.clone(),
        item_code: old.item_code.clone(),
        extension: old.extension.as_object().cloned().unwrap_or_default(),
    };
    let version = old.version.checked_add(1).ok_or_else(|| AppError::field("version", "版本号已用尽"))?;
    let licence = new.build(today, version, Some(old.id.clone())).map_err(|(f, e)| AppError::field(f, e))?;
    let new_id = licence.id.clone();
    let retired = LicenceEventRow {
        licence_id: row.id.clone(),
        seq: 0,
        operation: LicenceOperation::Renew.code().into(),
        status: LicenceStatus::Expired.code().into(),
        actor_id: who.person_id.clone(),
        reason: format!("已延续为新版本 {new_id} (renewed as a new version)"),
        at: Utc::now(),
    };
    let holder = Holder { person: row.holder_person.clone(), organization: row.holder_organization.clone() };
    let issued = (LicenceOperation::Renew, reason, who.person_id.as_str());
    seal_and_keep(app, licence, holder, None, issued, Some((&row.status, retired)), None).await
}
