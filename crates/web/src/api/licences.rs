//! Electronic licences: public verification and the trust list (no login), the holder's wallet,
//! export, history and uses, status changes by the issuing agency, and the use of a licence
//! instead of a material (用证) with its annotated copy. `tongban_app::licences` decides who may.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::Json;
use crate::extract::Path;
use crate::session::Peer;
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use serde::{Deserialize, Serialize};
use tongban_app::licences::issue::{self, IssueReport};
use tongban_app::licences::uses::{self, CopyCheck, UseView};
use tongban_app::licences::{self, LicenceEvent, Verification, WalletEntry};
use tongban_domain::licences::{AnnotatedCopy, LicenceStatus, NewLicence, SignedLicence, StatusList, TrustList};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trust-list", get(trust_list))
        .route("/api/v1/licences", get(wallet).post(issue))
        .route("/api/v1/licences/{id}/verification", get(verification))
        .route("/api/v1/licences/{id}/export", get(export))
        .route("/api/v1/licences/{id}/status", post(change_status))
        .route("/api/v1/licences/{id}/history", get(history))
        .route("/api/v1/licences/{id}/uses", get(uses_of_licence))
        .route("/api/v1/applications/{id}/licence-uses", post(authorize))
        .route("/api/v1/applications/{id}/licence-uses/{use_id}", delete(withdraw))
        .route("/api/v1/licence-uses/{id}/annotated-copy", get(annotated_copy))
        .route("/api/v1/licence-status-list", get(status_list))
        .route("/api/v1/licences/import", post(import))
        .route("/api/v1/licences/{id}/renewal", post(renew))
}

/// Verifies a licence by its identifier, without logging in: whether its seal is authentic, and
/// its status today. Limited per address and minute (`verifications_per_minute`).
#[utoipa::path(get, path = "/api/v1/licences/{id}/verification", tag = "licences",
    params(("id" = String, Path, description = "证照标识 (GB/T 36904)")),
    responses((status = 200, body = Verification), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub(crate) async fn verification(
    State(s): State<AppState>,
    peer: Peer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<axum::Json<Verification>, ApiError> {
    let address = crate::session::client(&headers, &peer).address;
    Ok(axum::Json(licences::public_verification(&s.app, &address, &id).await?))
}

/// The signed list of issuer keys, for other regions and offline verifiers.
#[utoipa::path(get, path = "/api/v1/trust-list", tag = "licences", responses((status = 200, body = TrustList)))]
pub(crate) async fn trust_list(State(s): State<AppState>) -> Result<axum::Json<TrustList>, ApiError> {
    Ok(axum::Json(licences::trust_list(&s.app).await?))
}

/// 我的证照: the caller's licences, or those of the organization they act for.
#[utoipa::path(get, path = "/api/v1/licences", tag = "licences",
    responses((status = 200, body = Vec<WalletEntry>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn wallet(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<WalletEntry>>, ApiError> {
    Ok(axum::Json(licences::wallet(&s.app, &c.who).await?))
}

/// The sealed licence as a file `tongban licence verify` checks offline (its holder only).
#[utoipa::path(get, path = "/api/v1/licences/{id}/export", tag = "licences",
    params(("id" = String, Path, description = "证照标识")),
    responses((status = 200, body = SignedLicence), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn export(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<SignedLicence>, ApiError> {
    Ok(axum::Json(licences::export(&s.app, &c.who, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// 02 暂扣, 01 发还, 03 撤销, 04 注销, 07 吊销.
    pub status: String,
    pub reason: String,
}

/// Changes a licence's status (issuing agency's approvers and administrators), with a reason.
#[utoipa::path(post, path = "/api/v1/licences/{id}/status", tag = "licences",
    params(("id" = String, Path, description = "证照标识")),
    request_body = StatusRequest,
    responses((status = 200, body = Verification), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn change_status(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<StatusRequest>,
) -> Result<axum::Json<Verification>, ApiError> {
    let to = LicenceStatus::parse(&r.status)
        .filter(|s| licences::SETTABLE.contains(s))
        .ok_or_else(|| tongban_app::AppError::field("status", "应为 01、02、03、04 或 07 (01, 02, 03, 04 or 07)"))?;
    Ok(axum::Json(licences::change_status(&s.app, &c.who, &id, to, &r.reason).await?))
}

/// A licence's history: its issue and each status change, oldest first (its holder only).
#[utoipa::path(get, path = "/api/v1/licences/{id}/history", tag = "licences",
    params(("id" = String, Path, description = "证照标识")),
    responses((status = 200, body = Vec<LicenceEvent>), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn history(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<LicenceEvent>>, ApiError> {
    Ok(axum::Json(licences::history(&s.app, &c.who, &id).await?))
}

/// Every use of a licence instead of a material, newest first (its holder only).
#[utoipa::path(get, path = "/api/v1/licences/{id}/uses", tag = "licences",
    params(("id" = String, Path, description = "证照标识")),
    responses((status = 200, body = Vec<UseView>), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn uses_of_licence(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<UseView>>, ApiError> {
    Ok(axum::Json(uses::uses_of_licence(&s.app, &c.who, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UseRequest {
    /// The guide's material, one whose source is a licence type.
    pub material: String,
    /// 证照标识 of one of the applicant's valid licences of that type.
    pub licence_id: String,
}

/// Uses a licence instead of a material (用证): the applicant authorizes it; the offering's agency
/// receives an annotated copy (加注件). Replaces an earlier choice for the same material.
#[utoipa::path(post, path = "/api/v1/applications/{id}/licence-uses", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)")),
    request_body = UseRequest,
    responses((status = 201, body = UseView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn authorize(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<UseRequest>,
) -> Result<(StatusCode, axum::Json<UseView>), ApiError> {
    let used = uses::authorize(&s.app, &c.who, &id, &r.material, &r.licence_id).await?;
    Ok((StatusCode::CREATED, axum::Json(used)))
}

/// Withdraws a licence's use from a draft.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/licence-uses/{use_id}", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)"), ("use_id" = String, Path, description = "证照使用标识 (the use's id)")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn withdraw(
    State(s): State<AppState>,
    c: Caller,
    Path((id, use_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    uses::withdraw(&s.app, &c.who, &id, &use_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An annotated copy with the platform's check of it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CheckedCopy {
    pub copy: AnnotatedCopy,
    pub check: CopyCheck,
}

/// The annotated copy (加注件) of a use, checked: for the staff handling the case and the applicant.
#[utoipa::path(get, path = "/api/v1/licence-uses/{id}/annotated-copy", tag = "cases",
    params(("id" = String, Path, description = "证照使用标识 (the use's id)")),
    responses((status = 200, body = CheckedCopy), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn annotated_copy(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<CheckedCopy>, ApiError> {
    let (copy, check) = uses::annotated_copy(&s.app, &c.who, &id).await?;
    Ok(axum::Json(CheckedCopy { copy, check }))
}

/// The signed status list: every licence not valid (suspended, withdrawn, cancelled, revoked…),
/// for verifiers working offline.
#[utoipa::path(get, path = "/api/v1/licence-status-list", tag = "licences", responses((status = 200, body = StatusList)))]
pub(crate) async fn status_list(State(s): State<AppState>) -> Result<axum::Json<StatusList>, ApiError> {
    Ok(axum::Json(licences::status_list(&s.app).await?))
}

/// The identifier of a licence issued.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub licence_id: String,
}

/// Issues a licence directly (the issuing agency's administrators, or the platform's).
#[utoipa::path(post, path = "/api/v1/licences", tag = "licences",
    request_body = NewLicence,
    responses((status = 201, body = Issued), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn issue(
    State(s): State<AppState>,
    c: Caller,
    Json(new): Json<NewLicence>,
) -> Result<(StatusCode, axum::Json<Issued>), ApiError> {
    let licence_id = issue::issue(&s.app, &c.who, new).await?;
    Ok((StatusCode::CREATED, axum::Json(Issued { licence_id })))
}

/// Imports licences (migrating legacy certificates): the body is JSON Lines, one `NewLicence` a
/// line; each line is issued or refused on its own, and the report names every refused line.
#[utoipa::path(post, path = "/api/v1/licences/import", tag = "licences",
    request_body(content = String, content_type = "text/plain", description = "JSON Lines (`application/x-ndjson` is taken too)"),
    responses((status = 200, body = IssueReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn import(
    State(s): State<AppState>,
    c: Caller,
    body: String,
) -> Result<axum::Json<IssueReport>, ApiError> {
    Ok(axum::Json(issue::import(&s.app, &c.who, &body).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalRequest {
    /// Default: by the licence type's validity from today.
    #[serde(default)]
    pub valid_to: Option<chrono::NaiveDate>,
    pub reason: String,
}

/// Renews (延续) a licence: a new version linked to it, which becomes 05 失效 (the issuing agency's
/// approvers and administrators).
#[utoipa::path(post, path = "/api/v1/licences/{id}/renewal", tag = "licences",
    params(("id" = String, Path, description = "证照标识")),
    request_body = RenewalRequest,
    responses((status = 201, body = Issued), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn renew(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<RenewalRequest>,
) -> Result<(StatusCode, axum::Json<Issued>), ApiError> {
    let licence_id = issue::renew(&s.app, &c.who, &id, r.valid_to, &r.reason).await?;
    Ok((StatusCode::CREATED, axum::Json(Issued { licence_id })))
}
