//! Use cases of Tongban, one module per capability. Owns configuration, start-up (connect,
//! migrate, load reference data) and the transactions of each use case. Knows the domain and the
//! store; knows nothing of HTTP.

pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod codes;
pub mod config;
pub mod datasets;
pub mod divisions;
mod error;
pub mod forms;
pub mod identity;
pub mod licences;
pub mod limit;
pub mod materials;
pub mod notify;
pub mod oidc;
pub mod organizations;
pub mod policy;
pub mod sms;
pub mod staff;
pub mod supervision;
pub mod webhooks;

pub use config::Config;
pub use error::AppError;

use catalog::IndexLocation;
use std::sync::Arc;
use tongban_search::CatalogIndex;
use tongban_store::{DbTarget, Store};

/// The running application: storage plus the caches the use cases keep. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub calendar: Arc<calendar::CalendarCache>,
    /// The catalog search index, when this process keeps one.
    pub index: Option<Arc<CatalogIndex>>,
    /// Keys, password hasher and login rules of unified identity.
    pub identity: Arc<identity::Identity>,
    /// Settings and caches of applications and cases.
    pub cases: Arc<cases::Cases>,
    /// Where uploaded materials are kept (in memory until the caller configures a store).
    pub objects: Arc<materials::Objects>,
    /// Public licence verifications one address may make per minute.
    pub verifications: Arc<limit::PerMinute>,
}

impl App {
    /// Connects, migrates, loads the vendored reference data that is missing or outdated, and
    /// opens the search index and brings it up to date.
    pub async fn open(target: &DbTarget, index: IndexLocation, identity: identity::Identity) -> Result<Self, AppError> {
        let store = Store::open(target).await?;
        divisions::seed(&store).await?;
        calendar::seed(&store).await?;
        let calendar = Arc::new(calendar::CalendarCache::load(&store).await?);
        let index = match index {
            IndexLocation::Dir(dir) => Some(CatalogIndex::open(&dir)),
            IndexLocation::Memory => Some(CatalogIndex::in_memory()),
            IndexLocation::None => None,
        }
        .transpose()
        .map_err(AppError::internal)?
        .map(Arc::new);
        let app = Self {
            store,
            calendar,
            index,
            cases: Arc::new(cases::Cases {
                channels: vec![
                    Arc::new(notify::SmsNotices(identity.sms_channel())),
                    Arc::new(notify::LogMailbox::default()),
                ],
                ..Default::default()
            }),
            identity: Arc::new(identity),
            objects: Arc::new(materials::Objects::in_memory()),
            verifications: Arc::new(limit::PerMinute::new(Config::default().verifications_per_minute)),
        };
        catalog::sync(&app).await?;
        Ok(app)
    }
}
