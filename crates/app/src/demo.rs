//! The demo (演示数据): a catalog of real services of six provinces and fictional population and
//! legal-person registries, loaded only when the platform runs as a demo (`serve --demo`) — in a
//! deployment, anyone could otherwise register as a demo person and pass real-name verification.
//! `remove` takes the demo registries out again.

use crate::{App, AppError, catalog, datasets, identity, organizations};

/// What loading the demo did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Guides published (the catalog is loaded only into an empty one).
    pub offerings: usize,
    /// Registry entries loaded (only into empty registries).
    pub people: usize,
    pub organizations: usize,
}

/// Loads what of the demo is missing: the catalog into an empty catalog, each registry into an
/// empty registry. Lines the vendored files should never have are logged.
pub async fn seed(app: &App) -> Result<Seeded, AppError> {
    let mut seeded = Seeded::default();
    if app.store.published_count().await? == 0 {
        let report = catalog::import(app, catalog::Format::Jsonl, datasets::DEMO_CATALOG, "demo", &|_| {}).await?;
        if !report.rejected.is_empty() {
            tracing::error!(rejected = ?report.rejected, "demo catalog rows rejected");
        }
        seeded.offerings = report.published;
    }
    if app.store.registry_count().await? == 0 {
        let report = identity::import_registry(app, datasets::DEMO_REGISTRY).await?;
        if !report.rejected.is_empty() {
            tracing::error!(rejected = ?report.rejected, "demo registry lines rejected");
        }
        seeded.people = report.loaded;
    }
    if app.store.legal_registry_count().await? == 0 {
        let report = organizations::import_legal_registry(app, datasets::DEMO_LEGAL_REGISTRY).await?;
        if !report.rejected.is_empty() {
            tracing::error!(rejected = ?report.rejected, "demo legal registry lines rejected");
        }
        seeded.organizations = report.loaded;
    }
    Ok(seeded)
}

/// Removes the demo's people and organizations from the registries (accounts already registered
/// stay, but no one can verify a real name against a demo identity any more); how many of each.
pub async fn remove(app: &App) -> Result<(u64, u64), AppError> {
    let people = identity::remove_from_registry(app, datasets::DEMO_REGISTRY).await?;
    let organizations = organizations::remove_from_legal_registry(app, datasets::DEMO_LEGAL_REGISTRY).await?;
    Ok((people, organizations))
}
