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
    /// A unique value is taken (an id number or phone already registered).
    #[error("{message}")]
    Conflict { field: &'static str, message: String },
    /// The credentials do not match an account (which of the two is wrong is not said).
    #[error("证件号码、手机号码或口令不正确 (wrong id number, phone or password)")]
    LoginFailed,
    /// The password was right; the code of the authenticator app is needed too.
    #[error("请输入动态口令 (enter the code from your authenticator app)")]
    SecondFactorRequired,
    /// Too many wrong passwords: the account is locked until then.
    #[error("账号已锁定至 {until}，请稍后再试或重置口令 (account locked until {until})")]
    Locked { until: String },
    /// A body or a file over its limit (`field` names it, `message` says the limit).
    #[error("{message}")]
    TooLarge { field: &'static str, message: String },
    /// A service the action needs is down (the virus scanner, …): nothing was done; retry later.
    #[error("{message}")]
    Unavailable { message: String },
    /// Too many attempts from one address.
    #[error("尝试过于频繁，请一分钟后再试 (too many attempts; retry in a minute)")]
    RateLimited,
    /// Signed in, but not allowed to do this (e.g. outside an agent's grant).
    #[error("无权执行该操作 (not allowed)")]
    Forbidden,
    #[error("请先完成 {} 级实名认证 (assurance level {} required)", .level.as_str(), .level.as_str())]
    AssuranceRequired { level: tongban_domain::identity::Assurance },
    /// No session, or it ended.
    #[error("请先登录 (please log in)")]
    Unauthenticated,
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(tongban_store::StoreError),
}

impl From<tongban_store::StoreError> for AppError {
    /// A database out of reach or changing hands (a failover) is a service down for a moment —
    /// 503 with Retry-After, to be retried (a submission with its Idempotency-Key) — not a fault.
    fn from(e: tongban_store::StoreError) -> Self {
        if e.is_unavailable() {
            tracing::warn!(error = %e, "database unavailable");
            AppError::Unavailable {
                message: "数据库暂时不可用，请稍后重试 (the database is briefly unavailable; please retry)".into(),
            }
        } else {
            AppError::Store(e)
        }
    }
}

impl AppError {
    /// A validation error on one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        AppError::Validation { fields: BTreeMap::from([(name.to_owned(), message.into())]) }
    }

    /// An internal error from any displayable cause (logged, never shown).
    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }

    /// A change guarded by the version it read found the record changed since (a stale write).
    pub fn stale() -> Self {
        AppError::Conflict {
            field: "version",
            message: "办件已被他人处理，请刷新后再试 (the case changed since you read it; reload)".into(),
        }
    }

    /// The stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::NotFound { .. } => "not_found",
            AppError::Conflict { .. } => "conflict",
            AppError::LoginFailed => "login_failed",
            AppError::SecondFactorRequired => "second_factor_required",
            AppError::Locked { .. } => "account_locked",
            AppError::RateLimited => "rate_limited",
            AppError::TooLarge { .. } => "payload_too_large",
            AppError::Unavailable { .. } => "unavailable",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::AssuranceRequired { .. } => "assurance_required",
            AppError::Internal(_) | AppError::Store(_) => "internal",
        }
    }
}
