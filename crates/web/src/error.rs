//! Errors as the API and the pages show them. API: `{"error": {"code", "message", "fields"?}}`
//! with a stable machine code. Causes of internal errors go to the log, never to the client.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use tongban_app::AppError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Option<BTreeMap<String, String>>,
}

/// The body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail {
    /// Stable machine code, e.g. `validation_failed`, `not_found`.
    code: &'static str,
    /// In Chinese, then English in parentheses.
    message: String,
    /// Bad input field → why.
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<BTreeMap<String, String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: None }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "未找到该资源 (no such resource)")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "不支持该请求方法 (method not allowed)")
    }
}

/// The HTTP status of an application error.
pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation { .. } => StatusCode::BAD_REQUEST,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::LoginFailed | AppError::Unauthenticated | AppError::SecondFactorRequired => StatusCode::UNAUTHORIZED,
        AppError::Locked { .. } => StatusCode::LOCKED,
        AppError::Forbidden | AppError::AssuranceRequired { .. } => StatusCode::FORBIDDEN,
        AppError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) | AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let code = e.code();
        let status = status_of(&e);
        match e {
            AppError::Validation { fields } => Self {
                status,
                code,
                message: "输入有误，请检查标出的字段 (invalid input; see fields)".into(),
                fields: Some(fields),
            },
            AppError::NotFound { .. } => Self::new(status, code, e.to_string()),
            AppError::Conflict { field, ref message } | AppError::TooLarge { field, ref message } => Self {
                status,
                code,
                message: message.clone(),
                fields: Some(BTreeMap::from([(field.to_owned(), message.clone())])),
            },
            AppError::LoginFailed
            | AppError::Unauthenticated
            | AppError::SecondFactorRequired
            | AppError::Forbidden
            | AppError::AssuranceRequired { .. }
            | AppError::Locked { .. }
            | AppError::RateLimited
            | AppError::Unavailable { .. } => Self::new(status, code, e.to_string()),
            AppError::Internal(_) | AppError::Store(_) => {
                tracing::error!(error = %e, "internal error");
                Self::new(status, code, "服务器内部错误，请稍后再试 (internal error; please retry later)")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message, fields: self.fields } };
        (self.status, Json(body)).into_response()
    }
}
