//! 行政区划: loading the vendored GB/T 2260 dataset and looking divisions up.

use crate::{AppError, datasets};
use tongban_domain::DivisionCode;
use tongban_store::Store;
pub use tongban_store::divisions::DivisionRecord;

/// Loads the vendored dataset when the database holds another version (or none).
pub async fn seed(store: &Store) -> Result<(), AppError> {
    if store.divisions_version().await?.as_deref() == Some(datasets::DIVISIONS_VERSION) {
        return Ok(());
    }
    let rows = datasets::divisions();
    tracing::info!(count = rows.len(), version = datasets::DIVISIONS_VERSION, "loading divisions");
    store.replace_divisions(datasets::DIVISIONS_VERSION, &rows).await?;
    Ok(())
}

/// A division with its path from the province down (the last element is the division itself).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionView {
    pub code: String,
    pub name: String,
    pub level: tongban_domain::DivisionLevel,
    pub parent: Option<String>,
    pub path: Vec<PathElement>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathElement {
    pub code: String,
    pub name: String,
}

fn parse(code: &str) -> Result<DivisionCode, AppError> {
    DivisionCode::parse(code).map_err(|e| AppError::field("code", e.to_string()))
}

const NOT_FOUND: AppError = AppError::NotFound { what: "行政区划", what_en: "division" };

pub async fn get(store: &Store, code: &str) -> Result<DivisionView, AppError> {
    let code = parse(code)?;
    let path = store.division_path(code.as_str()).await?;
    let Some(last) = path.last().cloned() else { return Err(NOT_FOUND) };
    if last.code != code.as_str() {
        return Err(NOT_FOUND);
    }
    Ok(DivisionView {
        code: last.code,
        name: last.name,
        level: last.level,
        parent: last.parent_code,
        path: path.into_iter().map(|d| PathElement { code: d.code, name: d.name }).collect(),
    })
}

pub async fn children(store: &Store, code: &str) -> Result<Vec<DivisionRecord>, AppError> {
    let code = parse(code)?;
    if store.division(code.as_str()).await?.is_none() {
        return Err(NOT_FOUND);
    }
    Ok(store.division_children(code.as_str()).await?)
}
