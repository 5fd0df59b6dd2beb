//! Using a licence instead of a material (用证, 减材料): the applicant picks one of their valid
//! licences of the type a guide's material names (found for them; one alone is picked already)
//! and authorizes its use; the handling agency receives an annotated copy (加注件) — the sealed
//! licence with the use's reason and expiry, sealed by the platform — and the holder sees every use.

use super::{PLATFORM, holds, issuer_key, platform_seal, sealed_of, status_today, verify_against};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tongban_crypto::seal::{self, ALGORITHM, Signer};
use tongban_domain::calendar::china_today;
use tongban_domain::catalog::{MaterialSource, Offering};
use tongban_domain::identity::AgentScope;
use tongban_domain::licences::{AnnotatedCopy, Annotation, LicenceStatus, Seal, TYPES, licence_type};
use tongban_store::cases::ApplicationRow;
use tongban_store::licences::{LicenceRow, LicenceUseRow};

/// How long an annotated copy serves its use: long enough for the longest statutory handling
/// (20 working days, extended once, with special procedures).
pub const COPY_VALID_DAYS: i64 = 90;

const UNKNOWN_USE: AppError = AppError::NotFound { what: "用证记录", what_en: "licence use" };

/// A licence the applicant may use for a material.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LicenceChoice {
    pub licence_id: String,
    pub name: String,
    pub number: String,
    pub holder_name: String,
    pub issuer_name: String,
    pub valid_to: Option<chrono::NaiveDate>,
}

/// One use of a licence, as its holder and the handling agency see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UseView {
    pub id: String,
    pub licence_id: String,
    pub licence_name: String,
    pub licence_number: String,
    pub application_id: String,
    /// Once the application is submitted.
    pub case_number: Option<String>,
    pub material: String,
    /// The using agency's name.
    pub using_agency: String,
    pub use_reason: String,
    pub used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

fn copy_of(u: &LicenceUseRow) -> Result<AnnotatedCopy, AppError> {
    serde_json::from_str(&u.copy).map_err(AppError::internal)
}

fn use_view(u: LicenceUseRow, case_number: Option<String>) -> Result<UseView, AppError> {
    let copy = copy_of(&u)?;
    Ok(UseView {
        id: u.id,
        licence_id: u.licence_id,
        licence_name: copy.licence.licence.name,
        licence_number: copy.licence.licence.number,
        application_id: u.application_id,
        case_number: case_number.filter(|n| !n.is_empty()),
        material: u.material,
        using_agency: copy.annotation.using_agency_name,
        use_reason: u.use_reason,
        used_at: u.used_at,
        expires_at: u.expires_at,
    })
}

/// Whether `row` is held by the applicant of `application`.
fn held_by_applicant(row: &LicenceRow, a: &ApplicationRow) -> bool {
    holds(row, &a.applicant_id, &a.organization)
}

/// The applicant's licences valid today, newest first, each with its type's name: what they may
/// use for the materials licences provide.
pub(crate) async fn choices(app: &App, a: &ApplicationRow) -> Result<Vec<(&'static str, LicenceChoice)>, AppError> {
    if a.organization.is_empty() {
        super::bind_own(app, &a.applicant_id).await?;
    }
    let today = china_today();
    let mut out = Vec::new();
    for row in app.store.licences_of(&a.applicant_id, &a.organization).await? {
        let Some(t) = TYPES.iter().find(|t| t.code == row.type_code) else { continue };
        if status_today(&row, today) != LicenceStatus::Valid {
            continue;
        }
        let l = sealed_of(&row)?.licence;
        let choice = LicenceChoice {
            licence_id: l.id,
            name: l.name,
            number: l.number,
            holder_name: l.holder_name,
            issuer_name: l.issuer_name,
            valid_to: l.valid_to,
        };
        out.push((t.name, choice));
    }
    Ok(out)
}

/// The uses of an application's licences, in the order authorized.
pub(crate) async fn uses_of_application(app: &App, a: &ApplicationRow) -> Result<Vec<UseView>, AppError> {
    let uses = app.store.licence_uses_of_application(&a.id).await?;
    uses.into_iter().map(|u| use_view(u, a.case_number.clone())).collect()
}

/// Uses licence `licence_id` for material `material` of a draft (replacing an earlier choice for
/// it; once submitted, a use stays): the licence must be the applicant's, of the type the material
/// names, valid and authentic; acting for an organization needs the scope of its licences. The
/// annotated copy for the offering's agency is made and sealed now.
pub async fn authorize(
    app: &App,
    who: &Principal,
    application_id: &str,
    material: &str,
    licence_id: &str,
) -> Result<UseView, AppError> {
    let (row, guide) = crate::case_access::own_draft(app, who, application_id).await?;
    if who.acting.as_ref().is_some_and(|a| !a.scopes.contains(&AgentScope::Licences)) {
        return Err(AppError::Forbidden);
    }
    let o = &guide.offering;
    let Some(m) = o.materials.iter().find(|m| m.name == material.trim()) else {
        return Err(AppError::field("material", "办事指南中没有这项材料 (no such material in the guide)"));
    };
    let MaterialSource::Licence { licence_type: type_name } = &m.source else {
        return Err(AppError::field("material", "该材料不由电子证照提供 (this material does not come from a licence)"));
    };
    let not_yours = || AppError::field("licence_id", "没有这份可用的电子证照 (no such licence of yours)");
    let licence =
        app.store.licence(licence_id.trim()).await?.filter(|l| held_by_applicant(l, &row)).ok_or_else(not_yours)?;
    if licence_type(type_name).is_none_or(|t| t.code != licence.type_code) {
        return Err(AppError::field(
            "licence_id",
            format!("这项材料需要{type_name} (this material needs a {type_name})"),
        ));
    }
    let u = annotated_use(app, &licence, o, &m.name, &row, None).await?;
    app.store.put_licence_use(u.clone()).await?;
    use_view(u, None)
}

/// A use of `licence` for material `material` of application `row` on offering `o`, with its
/// annotated copy made and sealed now, valid `COPY_VALID_DAYS` from now (`use_id`: the use it
/// renews). The licence must be valid today and authentic; otherwise a 409 saying so.
async fn annotated_use(
    app: &App,
    licence: &LicenceRow,
    o: &Offering,
    material: &str,
    row: &ApplicationRow,
    use_id: Option<&str>,
) -> Result<LicenceUseRow, AppError> {
    let status = status_today(licence, china_today());
    if status != LicenceStatus::Valid {
        return Err(AppError::Conflict {
            field: "licence_id",
            message: format!(
                "用于“{material}”的证照处于“{}”状态，不能使用；请改用其他证照或上传文件 \
                 (the licence used for this material is not valid: choose another or upload a file)",
                status.name_zh()
            ),
        });
    }
    let sealed = sealed_of(licence)?;
    let issuer_keys = issuer_key(app, &sealed.seal.key_id).await?;
    verify_against(&sealed, &issuer_keys)
        .map_err(|e| AppError::Internal(format!("stored licence {}: {e}", licence.id)))?;

    let now = Utc::now();
    let expires_at = now + Duration::days(COPY_VALID_DAYS);
    let id = match use_id {
        Some(id) => id.to_owned(),
        None => format!("u_{}", &tongban_crypto::token().map_err(AppError::internal)?[..24]),
    };
    let annotation = Annotation {
        use_id: id.clone(),
        licence_id: licence.id.clone(),
        licence_signature: sealed.seal.signature.clone(),
        use_reason: format!("办理“{}”", o.name),
        using_agency_name: o.agency.name.clone(),
        using_agency_code: o.agency.credit_code.clone(),
        application_id: row.id.clone(),
        material: material.to_owned(),
        annotated_at: tongban_domain::calendar::china_rfc3339(now),
        expires_at: tongban_domain::calendar::china_rfc3339(expires_at),
    };
    let platform = platform_seal(app).await?;
    let signature = platform.sign(&annotation.canonical()).map_err(AppError::internal)?;
    let copy = AnnotatedCopy {
        licence: sealed,
        seal: Seal { algorithm: ALGORITHM.into(), key_id: platform.key_id().into(), signature },
        annotation,
    };
    Ok(LicenceUseRow {
        id,
        licence_id: licence.id.clone(),
        application_id: row.id.clone(),
        offering_code: row.offering_code.clone(),
        material: material.to_owned(),
        using_agency: o.agency.credit_code.clone(),
        use_reason: copy.annotation.use_reason.clone(),
        copy: serde_json::to_string(&copy).map_err(AppError::internal)?,
        used_at: now,
        expires_at,
    })
}

/// At submission: each licence used for a material of the draft is checked again (still valid,
/// still authentic) and its annotated copy made anew, so the agency's copy runs from submission —
/// a draft kept for months does not arrive with an expired copy, nor with a licence revoked since.
/// Every licence no longer valid is named, field `materials`.
pub(crate) async fn restamp(app: &App, row: &ApplicationRow, o: &Offering) -> Result<(), AppError> {
    let mut refused = Vec::new();
    for u in app.store.licence_uses_of_application(&row.id).await? {
        let Some(licence) = app.store.licence(&u.licence_id).await? else {
            refused.push(format!("“{}”所用证照已不存在 (the licence is gone)", u.material));
            continue;
        };
        match annotated_use(app, &licence, o, &u.material, row, Some(&u.id)).await {
            Ok(renewed) => app.store.put_licence_use(renewed).await?,
            Err(AppError::Conflict { message, .. }) => refused.push(message),
            Err(e) => return Err(e),
        }
    }
    if refused.is_empty() { Ok(()) } else { Err(AppError::field("materials", refused.join("；"))) }
}

/// Withdraws a use from a draft.
pub async fn withdraw(app: &App, who: &Principal, application_id: &str, use_id: &str) -> Result<(), AppError> {
    let (row, _) = crate::case_access::own_draft(app, who, application_id).await?;
    if app.store.delete_licence_use(&row.id, use_id).await? { Ok(()) } else { Err(UNKNOWN_USE) }
}

/// What the check of an annotated copy found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyCheck {
    /// The licence's seal and the platform's annotation seal both verify.
    pub authentic: bool,
    /// Why not, when not.
    pub problem: Option<String>,
    /// The copy's expiry has passed.
    pub expired: bool,
    /// The licence's status now (a copy does not outlive a revocation).
    pub licence_status: String,
    pub licence_status_name: String,
}

/// Checks an annotated copy: the licence's seal against the issuer keys, the annotation against
/// the licence it names and the platform's key.
pub fn check_copy(
    copy: &AnnotatedCopy,
    issuer_keys: &[tongban_domain::licences::TrustedKey],
    platform_public_key: &str,
) -> Result<(), String> {
    verify_against(&copy.licence, issuer_keys)?;
    let a = &copy.annotation;
    if a.licence_id != copy.licence.licence.id || a.licence_signature != copy.licence.seal.signature {
        return Err("加注与证照不符 (the annotation is for another licence)".into());
    }
    if copy.seal.algorithm != ALGORITHM || !seal::verify(platform_public_key, &a.canonical(), &copy.seal.signature) {
        return Err("加注签章无效：加注件被改动 (the annotation's seal does not match: the copy was altered)".into());
    }
    Ok(())
}

/// The annotated copy of a use, checked, for whoever may read the application: its applicant, or
/// the staff handling its case.
pub async fn annotated_copy(app: &App, who: &Principal, use_id: &str) -> Result<(AnnotatedCopy, CopyCheck), AppError> {
    let u = app.store.licence_use(use_id).await?.ok_or(UNKNOWN_USE)?;
    match crate::case_access::readable_application(app, who, &u.application_id).await {
        Ok(_) => {}
        Err(AppError::NotFound { .. } | AppError::Forbidden) => return Err(UNKNOWN_USE),
        Err(e) => return Err(e),
    }
    let copy = copy_of(&u)?;
    let issuer_keys = issuer_key(app, &copy.licence.seal.key_id).await?;
    let platform_key = app.store.seal_key_by_id(&copy.seal.key_id).await?.filter(|k| k.agency_code == PLATFORM);
    let problem = match platform_key {
        Some(k) => check_copy(&copy, &issuer_keys, &k.public_key).err(),
        None => Some("加注签章的密钥未知 (the annotation's key is unknown)".into()),
    };
    let status = match app.store.licence(&u.licence_id).await? {
        Some(row) => status_today(&row, china_today()),
        None => LicenceStatus::Other,
    };
    let check = CopyCheck {
        authentic: problem.is_none(),
        problem,
        expired: u.expires_at < Utc::now(),
        licence_status: status.code().into(),
        licence_status_name: status.name_zh().into(),
    };
    Ok((copy, check))
}

/// Every use of a licence, newest first, for its holder only.
pub async fn uses_of_licence(app: &App, who: &Principal, licence_id: &str) -> Result<Vec<UseView>, AppError> {
    let row = super::own_licence(app, who, licence_id).await?;
    let mut out = Vec::new();
    for u in app.store.licence_uses_of_licence(&row.id).await? {
        let case_number = app.store.application(&u.application_id).await?.and_then(|a| a.case_number);
        out.push(use_view(u, case_number)?);
    }
    Ok(out)
}

/// How many materials applicants did not submit (of one offering, or all): licences that stood
/// in for them in submitted applications, and materials cases fetched by data sharing.
pub async fn materials_saved(app: &App, offering_code: Option<&str>) -> Result<u64, AppError> {
    Ok(app.store.materials_saved(offering_code).await? + app.store.shared_fetched_count(offering_code).await?)
}
