//! An application's files: `POST /api/v1/applications/{id}/materials` (multipart: `material`, the
//! guide's material name, and `file`), `GET` and `DELETE …/materials/{file_id}`. The applicant
//! uploads and removes while the application is a draft; the applicant and the staff handling
//! its case download.

use super::caller::Caller;
use crate::error::ErrorBody;
use crate::extract::{Multipart, Path};
use crate::{ApiError, AppState};
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tongban_app::AppError;
use tongban_app::materials::{self, FileView};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/applications/{id}/materials", post(upload))
        .route("/api/v1/applications/{id}/materials/{file_id}", get(download).delete(remove))
        // A file up to the limit, with room for the multipart framing.
        .layer(DefaultBodyLimit::max(tongban_domain::materials::MAX_BYTES + 64 * 1024))
}

/// The `material` and `file` parts of an upload form: (material, file name, bytes, the other
/// fields). A body over the limit is a 413 naming the file.
pub async fn read_upload(
    Multipart(mut form): Multipart,
) -> Result<(String, String, bytes::Bytes, Vec<(String, String)>), AppError> {
    let bad = |field: &'static str, e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = tongban_domain::materials::MAX_BYTES / 1024 / 1024;
            AppError::TooLarge {
                field: "file", message: format!("文件不能超过 {limit} MiB (at most {limit} MiB)")
            }
        } else {
            AppError::field(field, format!("上传内容无法读取 (unreadable upload): {e}"))
        }
    };
    let (mut material, mut file, mut other) = (None, None, Vec::new());
    loop {
        let Some(field) = form.next_field().await.map_err(|e| bad("file", e))? else { break };
        match field.name().unwrap_or("") {
            "material" => material = Some(field.text().await.map_err(|e| bad("material", e))?),
            "file" => {
                let name = field.file_name().unwrap_or("").to_owned();
                file = Some((name, field.bytes().await.map_err(|e| bad("file", e))?));
            }
            name => {
                let name = name.to_owned();
                let value = field.text().await.unwrap_or_default();
                other.push((name, value));
            }
        }
    }
    let material = material.ok_or_else(|| AppError::field("material", "必填 (required)"))?;
    let (name, bytes) = file.ok_or_else(|| AppError::field("file", "请选择文件 (choose a file)"))?;
    Ok((material, name, bytes, other))
}

/// Uploads a file for one of the guide's materials. The type is read from the content (PDF,
/// OFD, JPEG, PNG), at most 20 MiB, and the file passes the virus-scan hook before it is stored.
#[utoipa::path(post, path = "/api/v1/applications/{id}/materials", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)")),
    request_body(content_type = "multipart/form-data", description = "`material`: the material's name in the guide; `file`: the file"),
    responses(
        (status = 201, body = FileView),
        (status = 400, description = "the material or the file is refused; the field is named", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "already submitted", body = ErrorBody),
        (status = 413, description = "over 20 MiB", body = ErrorBody),
        (status = 503, description = "the virus scanner is unavailable: nothing stored, retry later", body = ErrorBody),
    ),
    security(("session" = [])))]
pub(crate) async fn upload(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    form: Multipart,
) -> Result<(StatusCode, axum::Json<FileView>), ApiError> {
    let (material, name, bytes, _) = read_upload(form).await?;
    let file = materials::upload(&s.app, &c.who, &id, &material, &name, bytes).await?;
    Ok((StatusCode::CREATED, axum::Json(file)))
}

/// The file's bytes, for its applicant and the staff handling the case.
#[utoipa::path(get, path = "/api/v1/applications/{id}/materials/{file_id}", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)"), ("file_id" = String, Path, description = "文件标识 (the file's id)")),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn download(
    State(s): State<AppState>,
    c: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (file, bytes) = materials::download(&s.app, &c.who, &id, &file_id).await?;
    Ok(file_response(&file, bytes))
}

/// A stored file as a download: its sniffed type, never guessed again by the browser.
pub fn file_response(file: &FileView, bytes: bytes::Bytes) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    let disposition = format!("attachment; filename=\"file\"; filename*=UTF-8''{}", encoded.replace('+', "%20"));
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Removes a file from a draft.
#[utoipa::path(delete, path = "/api/v1/applications/{id}/materials/{file_id}", tag = "applications",
    params(("id" = String, Path, description = "申请标识 (the application's id)"), ("file_id" = String, Path, description = "文件标识 (the file's id)")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = [])))]
pub(crate) async fn remove(
    State(s): State<AppState>,
    c: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    materials::remove(&s.app, &c.who, &id, &file_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
