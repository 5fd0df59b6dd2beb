//! Use cases of Tongban, one module per capability. Owns configuration, start-up (connect,
//! migrate, load reference data) and the transactions of each use case. Knows the domain and the
//! store; knows nothing of HTTP.
//!
//! The modules are layered, each using only those below it (`crates/cli/tests/layering.rs`
//! fails on a circle; docs/ARCHITECTURE.md draws the layers): the base (`config`, `error`,
//! `datasets`, `limit`, `codes`, `divisions`, `calendar`, `outbound`), then access (`people`,
//! `access`, `forms`, `case_access`, `notify`), then the use cases. `App`, here, is the composition root:
//! it holds each module's state, and a module reads only its own and the layers' below.

pub mod access;
pub mod calendar;
pub mod case_access;
pub mod cases;
pub mod catalog;
pub mod codes;
pub mod config;
pub mod datasets;
pub mod demo;
pub mod divisions;
mod error;
pub mod exchange;
pub mod forms;
pub mod hall;
pub mod identity;
pub mod inquiries;
pub mod leases;
pub mod licences;
pub mod limit;
pub mod materials;
pub mod notify;
pub mod oidc;
pub mod organizations;
pub mod outbound;
pub mod people;
pub mod ratings;
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
    /// Seals and opens personal data and everything else kept secret at rest (the key ring).
    pub vault: Arc<tongban_crypto::Vault>,
    /// Password hasher and login rules of unified identity.
    pub identity: Arc<identity::Identity>,
    /// The guide versions in use, their forms compiled.
    pub guides: Arc<forms::GuideCache>,
    /// Seal keys' public keys as the key file opens them.
    pub opened_keys: Arc<licences::OpenedKeys>,
    /// The gateways text messages and e-mails go through (the development outbox unless set
    /// otherwise).
    pub notify: Arc<notify::Channels>,
    /// Settings and caches of applications and cases.
    pub cases: Arc<cases::Cases>,
    /// Where uploaded materials are kept (in memory until the caller configures a store).
    pub objects: Arc<materials::Objects>,
    /// The one client of requests to other systems, with the addresses it may reach.
    pub outbound: Arc<outbound::Outbound>,
    /// Public licence verifications one address may make per minute.
    pub verifications: Arc<limit::PerMinute>,
    /// Settings of data sharing, the gateway's breakers and quotas, and its call log writer.
    pub exchange: Arc<exchange::Exchange>,
    /// This process among the nodes, as the holder of background jobs' leases.
    pub instance: Arc<str>,
    /// Settings of ratings (好差评).
    pub ratings: Arc<ratings::Settings>,
    /// Settings of consultations and complaints (咨询投诉).
    pub inquiries: Arc<inquiries::Settings>,
    /// The service hall's per-person rules and this node's hub of calls.
    pub hall: Arc<hall::Settings>,
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
            cases: Arc::new(cases::Cases::default()),
            guides: Default::default(),
            opened_keys: Default::default(),
            notify: Arc::new(notify::Channels::development(Default::default())),
            vault: identity.vault(),
            identity: Arc::new(identity),
            objects: Arc::new(materials::Objects::in_memory()),
            outbound: Arc::new(outbound::Outbound::new(Default::default())?),
            verifications: Arc::new(limit::PerMinute::new(Config::default().verifications_per_minute)),
            exchange: Default::default(),
            instance: leases::instance().into(),
            ratings: Arc::new(ratings::Settings::default()),
            inquiries: Arc::new(inquiries::Settings::default()),
            hall: Arc::new(hall::Settings::default()),
        };
        catalog::sync(&app).await?;
        Ok(app)
    }
}
