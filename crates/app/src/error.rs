//! The one application error. Each variant has a stable machine code; the web layer maps it to
//! a status, a JSON body and an HTML page. Causes of internal errors are logged, never shown.

use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that does not parse; `fields` names each bad field and why.
    #[error("输入有误 (invalid input)")]
    Validation { fields: BTreeMap<String, String> },
    #[error("{what}不存在 ({what_en} not found)")]
    NotFound { what: &'static str, what_en: &'static str },
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] tongban_store::StoreError),
}

impl AppError {
    /// A validation error on one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        AppError::Validation { fields: BTreeMap::from([(name.to_owned(), message.into())]) }
    }

    /// The stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::NotFound { .. } => "not_found",
            AppError::Internal(_) | AppError::Store(_) => "internal",
        }
    }
}
