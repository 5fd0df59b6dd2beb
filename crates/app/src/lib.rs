//! Use cases of Tongban, one module per capability. Owns configuration, start-up (connect,
//! migrate, load reference data) and the transactions of each use case. Knows the domain and the
//! store; knows nothing of HTTP.

pub mod calendar;
pub mod codes;
pub mod config;
pub mod datasets;
pub mod divisions;
mod error;

pub use config::Config;
pub use error::AppError;

use std::sync::Arc;
use tongban_store::{DbTarget, Store};

/// The running application: storage plus the caches the use cases keep. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub calendar: Arc<calendar::CalendarCache>,
}

impl App {
    /// Connects, migrates and loads the vendored reference data that is missing or outdated.
    pub async fn open(target: &DbTarget) -> Result<Self, AppError> {
        let store = Store::open(target).await?;
        divisions::seed(&store).await?;
        calendar::seed(&store).await?;
        let calendar = Arc::new(calendar::CalendarCache::load(&store).await?);
        Ok(Self { store, calendar })
    }
}
