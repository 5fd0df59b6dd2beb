//! Extractors that turn every malformed request into a clean 4xx `ApiError`.

use crate::ApiError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// `axum::Json` with our error body on rejection.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")));
        if !json {
            return Err(json_rejection(JsonRejection::MissingJsonContentType(Default::default())));
        }
        let body = body_of(req, state).await?;
        // A NUL (`\u0000`) is no text anyone types, and PostgreSQL refuses it in text columns.
        if body.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
            return Err(nul());
        }
        match axum::Json::<T>::from_bytes(&body) {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A request that carries a NUL character, in its address, query or body.
pub fn nul() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_characters",
        "请求中含有空字符（NUL），请删除后再试 (the request contains a NUL character)",
    )
}

async fn body_of<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                format!("请求体无法读取 (unreadable body): {}", r.body_text()),
            )
        }
    })
}

/// Pairs decoded from a query or a form, refused when one holds a NUL.
fn pairs(bytes: &[u8]) -> Result<QueryPairs, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(bytes).into_owned().collect();
    if pairs.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Err(nul());
    }
    Ok(QueryPairs(pairs))
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let detail = r.body_text();
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求体应为 JSON，Content-Type: application/json (expected Content-Type: application/json)",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("JSON 格式错误 (malformed JSON): {detail}"),
        ),
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            format!("请求体字段不符合要求 (body does not match the expected shape): {detail}"),
        ),
        r if r.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("请求体无法读取 (unreadable body): {detail}"),
        ),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "请求体过大 (request body too large)")
}

/// `axum::extract::Path` with our error body: a segment that is not valid UTF-8 or not of the
/// expected type is a 400 naming the path.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if parts.uri.path().to_ascii_lowercase().contains("%00") {
            return Err(nul());
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => Err(path_rejection(r)),
        }
    }
}

fn path_rejection(r: PathRejection) -> ApiError {
    let mut e = ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", "地址无效 (invalid address)");
    e.fields =
        Some([("path".to_owned(), format!("地址中含有无效字符 (invalid characters): {}", r.body_text()))].into());
    e
}

/// `axum::extract::Multipart` with our error body: a body that is not `multipart/form-data` with
/// a boundary is a 415.
pub struct Multipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Multipart {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::extract::Multipart::from_request(req, state).await.map(Multipart).map_err(|r: MultipartRejection| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "上传应为 multipart/form-data (expected multipart/form-data with a boundary): {}",
                    r.body_text()
                ),
            )
        })
    }
}

/// The query string as ordered key/value pairs (repeated keys kept).
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    pub fn first(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
    }

    /// The value of a required parameter, or a 400 naming it.
    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        self.first(key).ok_or_else(|| {
            let mut e = ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", "缺少必填参数 (missing parameter)");
            e.fields = Some([(key.to_owned(), "必填 (required)".to_owned())].into());
            e
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        pairs(parts.uri.query().unwrap_or("").as_bytes())
    }
}

/// A form post (`application/x-www-form-urlencoded`) as ordered key/value pairs.
pub struct FormPairs(pub QueryPairs);

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "表单应为 application/x-www-form-urlencoded (expected a form post)",
            ));
        }
        Ok(Self(pairs(&body_of(req, state).await?)?))
    }
}
