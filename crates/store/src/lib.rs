//! Persistence of Tongban: one entity model and one migration set for embedded SQLite (the
//! default) and PostgreSQL, with a repository per aggregate. Knows the domain, nothing above it.

pub mod audit;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod divisions;
pub mod entity;
pub mod exchange;
pub mod hall;
pub mod identity;
pub mod inquiries;
pub mod leases;
pub mod licences;
pub mod migration;
pub mod oidc;
pub mod organizations;
pub mod outbound;
pub mod ratings;
pub mod staff;
mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod webhooks;

pub use store::{Backend, DbTarget, PoolStats, Store, StoreError};
