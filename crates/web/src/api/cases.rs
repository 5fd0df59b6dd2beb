//! Applications and cases: `/api/v1/applications…`, `/api/v1/cases…` and the staff queue
//! `/api/v1/workbench/queue`. Every handler names its caller; `tongban_app::cases` checks what
//! the caller may see and do (another's application or case is a 404).

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::Path;
use crate::extract::{Json, QueryPairs};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value};
use tongban_app::cases::{self, ApplicationView, CaseView, MessageView, QueueRequest, Receipt, TrailEntryView};
use tongban_domain::cases::{CaseAction, CaseState, Warning};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/applications", post(start).get(my_applications))
        .route("/api/v1/applications/{id}", get(application).put(save))
        .route("/api/v1/applications/{id}/submit", post(submit))
        .route("/api/v1/cases", get(my_cases))
        .route("/api/v1/cases/{case_number}", get(case))
        .route("/api/v1/cases/{case_number}/actions", post(act))
        .route("/api/v1/cases/{case_number}/trail", get(trail))
        .route("/api/v1/cases/{case_number}/claim", post(claim).delete(release))
        .route("/api/v1/workbench/queue", get(queue))
        .route("/api/v1/messages", get(messages))
        .route("/api/v1/messages/read", post(mark_read))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    /// 实施编码 of a published offering.
    pub offering_code: String,
}

/// Starts an application, pre-filled from the account, the organization acted for and earlier
/// applications (`prefilled` says which field came from where).
#[utoipa::path(post, path = "/api/v1/applications", tag = "applications", request_body = StartRequest,
    responses(
        (status = 201, body = ApplicationView),
        (status = 400, description = "no such published offering, or not for this kind of applicant", body = ErrorBody),
        (status = 401, body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn start(
    State(s): State<AppState>,
    c: Caller,
    Json(r): Json<StartRequest>,
) -> Result<(StatusCode, axum::Json<ApplicationView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(cases::start(&s.app, &c.who, &r.offering_code).await?)))
}

/// The caller's applications (for the organization acted for, if any), newest first.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, body = Vec<ApplicationView>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn my_applications(
    State(s): State<AppState>,
    c: Caller,
) -> Result<axum::Json<Vec<ApplicationView>>, ApiError> {
    Ok(axum::Json(cases::my_applications(&s.app, &c.who).await?))
}

/// One of the caller's applications.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)")),
    responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn application(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<ApplicationView>, ApiError> {
    Ok(axum::Json(cases::get_application(&s.app, &c.who, &id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The whole form data; fields the form does not show are dropped.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

/// Saves a draft's data. Incomplete data is kept; `errors` lists what still stops submission.
#[utoipa::path(put, path = "/api/v1/applications/{id}", tag = "applications", request_body = SaveRequest,
    params(("id" = String, Path, description = "申请标识 (the application's id)")),
    responses(
        (status = 200, body = ApplicationView),
        (status = 404, body = ErrorBody),
        (status = 409, description = "already submitted", body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn save(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    Json(r): Json<SaveRequest>,
) -> Result<axum::Json<ApplicationView>, ApiError> {
    Ok(axum::Json(cases::save(&s.app, &c.who, &id, r.data).await?))
}

/// Submits a complete draft; it becomes a case. Repeating it (a double click, a retry with the
/// same `Idempotency-Key`) answers 200 with the same case instead of making another.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)"), ("Idempotency-Key" = Option<String>, Header, description = "1 to 200 ASCII characters")),
    responses(
        (status = 201, description = "a new case", body = Receipt),
        (status = 200, description = "a repeat: the case made before", body = Receipt),
        (status = 400, description = "the form is incomplete; every field is named", body = ErrorBody),
        (status = 403, description = "real-name verification (L2) is needed first", body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn submit(
    State(s): State<AppState>,
    c: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<Receipt>), ApiError> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(v.to_str().map_err(|_| {
            ApiError::from(tongban_app::AppError::field("Idempotency-Key", "应为 ASCII 字符 (ASCII only)"))
        })?),
        None => None,
    };
    let receipt = cases::submit(&s.app, &c.who, &id, key, &c.request_id).await?;
    let status = if receipt.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, axum::Json(receipt)))
}

/// The caller's cases (for the organization acted for, if any), newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    responses((status = 200, body = Vec<CaseView>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn my_cases(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<CaseView>>, ApiError> {
    Ok(axum::Json(cases::my_cases(&s.app, &c.who).await?))
}

/// A case with its state, step and clock: for its applicant and the staff of its agencies.
#[utoipa::path(get, path = "/api/v1/cases/{case_number}", tag = "cases",
    params(("case_number" = String, Path, description = "办件编号")),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn case(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(cases::get_case(&s.app, &c.who, &number).await?))
}

/// An action with its fields (`{"action": "refuse", "reason": …, "legal_basis": …}`), an
/// optional comment, and optionally the case version the actor saw.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ActionRequest {
    #[serde(flatten)]
    pub action: CaseAction,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Acts on a case: accept, refuse, request_supplement, supplement, pass, start_procedure,
/// end_procedure, approve, deny, conclude, deliver, withdraw.
#[utoipa::path(post, path = "/api/v1/cases/{case_number}/actions", tag = "cases", request_body = ActionRequest,
    params(("case_number" = String, Path, description = "办件编号 (the case number)")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, description = "a field of the action is wrong, and named", body = ErrorBody),
        (status = 403, description = "not the caller's action on this case", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "not possible in the case's state, or the case changed since `version`", body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn act(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
    Json(r): Json<ActionRequest>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(cases::act(&s.app, &c.who, &number, r.action, r.comment, r.version, &c.request_id).await?))
}

/// Every action on the case, oldest first, in plain words, with each entry's SM3 chain digest.
#[utoipa::path(get, path = "/api/v1/cases/{case_number}/trail", tag = "cases",
    params(("case_number" = String, Path, description = "办件编号 (the case number)")),
    responses((status = 200, body = Vec<TrailEntryView>), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn trail(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<Vec<TrailEntryView>>, ApiError> {
    Ok(axum::Json(cases::trail(&s.app, &c.who, &number).await?))
}

/// Claims the case for the caller (window staff or approver of either side); 409 if someone else has.
#[utoipa::path(post, path = "/api/v1/cases/{case_number}/claim", tag = "cases",
    params(("case_number" = String, Path, description = "办件编号 (the case number)")),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "claimed by someone else", body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn claim(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(cases::claim(&s.app, &c.who, &number, true, &c.request_id).await?))
}

/// Releases the caller's own claim.
#[utoipa::path(delete, path = "/api/v1/cases/{case_number}/claim", tag = "cases",
    params(("case_number" = String, Path, description = "办件编号 (the case number)")),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "not the caller's claim", body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn release(
    State(s): State<AppState>,
    c: Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<CaseView>, ApiError> {
    Ok(axum::Json(cases::claim(&s.app, &c.who, &number, false, &c.request_id).await?))
}

/// The queue of an agency within a division subtree the caller's staff role covers, by due date.
#[utoipa::path(get, path = "/api/v1/workbench/queue", tag = "cases",
    params(
        ("agency" = String, Query, description = "实施机构统一社会信用代码"),
        ("division" = String, Query, description = "行政区划代码: the subtree"),
        ("side" = Option<String>, Query, description = "deciding (default) | receiving"),
        ("state" = Option<Vec<String>>, Query, description = "repeatable; default every open state"),
        ("warning" = Option<String>, Query, description = "green | yellow | red"),
        ("mine" = Option<bool>, Query, description = "only cases the caller claimed"),
        ("after" = Option<String>, Query, description = "the last case number of the previous page"),
        ("limit" = Option<u32>, Query, description = "1..=100, default 20"),
    ),
    responses(
        (status = 200, body = Vec<CaseView>),
        (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn queue(
    State(s): State<AppState>,
    c: Caller,
    q: QueryPairs,
) -> Result<axum::Json<Vec<CaseView>>, ApiError> {
    Ok(axum::Json(cases::queue(&s.app, &c.who, &queue_request(&q)?).await?))
}

/// The caller's in-site messages (receipts, every staff action on their cases, escalations), newest first.
#[utoipa::path(get, path = "/api/v1/messages", tag = "cases",
    responses((status = 200, body = Vec<MessageView>), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn messages(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Vec<MessageView>>, ApiError> {
    Ok(axum::Json(cases::my_messages(&s.app, &c.who).await?))
}

/// How many messages a call marked read.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Marked {
    marked: u64,
}

/// Marks all of the caller's messages read.
#[utoipa::path(post, path = "/api/v1/messages/read", tag = "cases",
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn mark_read(State(s): State<AppState>, c: Caller) -> Result<axum::Json<Marked>, ApiError> {
    Ok(axum::Json(Marked { marked: cases::mark_messages_read(&s.app, &c.who).await? }))
}

/// Parses the queue parameters, naming the bad one.
pub fn queue_request(q: &QueryPairs) -> Result<QueueRequest, ApiError> {
    let bad = |field: &str, message: &str| ApiError::from(tongban_app::AppError::field(field, message));
    let receiving = match q.first("side") {
        None | Some("deciding") => false,
        Some("receiving") => true,
        Some(_) => return Err(bad("side", "应为 deciding 或 receiving (deciding or receiving)")),
    };
    let mut states = Vec::new();
    for s in q.all("state") {
        states.push(CaseState::parse(&s).ok_or_else(|| bad("state", "未知的办件状态 (unknown state)"))?);
    }
    if states.is_empty() {
        states = CaseState::ALL.into_iter().filter(|s| !s.is_final() && *s != CaseState::Concluded).collect();
    }
    let warning = q
        .first("warning")
        .map(|w| Warning::parse(w).ok_or_else(|| bad("warning", "应为 green、yellow 或 red")))
        .transpose()?;
    let limit = match q.first("limit") {
        None => 20,
        Some(l) => {
            l.parse::<u64>().ok().filter(|l| (1..=100).contains(l)).ok_or_else(|| bad("limit", "应为 1 至 100"))?
        }
    };
    Ok(QueueRequest {
        agency: q.required("agency")?.to_owned(),
        division: q.required("division")?.to_owned(),
        receiving,
        states,
        warning,
        mine: q.first("mine") == Some("true"),
        after: q.first("after").map(str::to_owned),
        limit,
    })
}
