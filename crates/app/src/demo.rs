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
    // The demo hall serves the demo catalog's services: over another catalog it is left out.
    if app.store.halls("").await?.is_empty()
        && let Err(e) = demo_hall(app).await
    {
        tracing::warn!(error = %e, "the demo hall was not made");
    }
    Ok(seeded)
}

/// The demo's service hall: 北京市东城区 with a market-supervision window group and a general
/// one, three windows, appointments released seven days ahead at 08:00.
async fn demo_hall(app: &App) -> Result<(), AppError> {
    use crate::hall::{GroupSpec, HallSpec, WindowSpec};
    const MARKET: &str = "1111010143783071XP";
    const POLICE: &str = "111101015425293395";
    let codes = |list: &[&str]| list.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
    let spec = HallSpec {
        name: "北京市东城区政务服务中心（演示）".into(),
        division_code: "110101".into(),
        agency_code: MARKET.into(),
        address: "东城区演示路 1 号".into(),
        hours: "09:00-12:00,13:30-17:00".into(),
        slot_minutes: 30,
        days_ahead: 7,
        release_at: "08:00".into(),
        appointment_ahead_minutes: 10,
        max_recalls: 2,
        default_service_secs: 300,
        groups: vec![
            GroupSpec {
                code: "market".into(),
                name: "市场监管专窗".into(),
                offerings: codes(&[
                    "1111010143783071XP0700105001000",
                    "1111010143783071XP0700105002000",
                    "1111010143783071XP0100105021000",
                ]),
                capacity: 3,
            },
            GroupSpec {
                code: "general".into(),
                name: "综合窗口".into(),
                offerings: codes(&[
                    "1111010154252933950700113001000",
                    "1111010154252933950700113002000",
                    "11110101144305022T0700109001000",
                    "1311010125378651502000150001000",
                ]),
                capacity: 5,
            },
        ],
        windows: vec![
            WindowSpec { number: "1".into(), agency_code: MARKET.into(), groups: codes(&["market", "general"]) },
            WindowSpec { number: "2".into(), agency_code: MARKET.into(), groups: codes(&["market"]) },
            WindowSpec { number: "3".into(), agency_code: POLICE.into(), groups: codes(&["general"]) },
        ],
    };
    crate::hall::write(app, "h_demo_dongcheng".into(), chrono::Utc::now(), spec).await?;
    Ok(())
}

/// Removes the demo's people and organizations from the registries (accounts already registered
/// stay, but no one can verify a real name against a demo identity any more); how many of each.
pub async fn remove(app: &App) -> Result<(u64, u64), AppError> {
    let people = identity::remove_from_registry(app, datasets::DEMO_REGISTRY).await?;
    let organizations = organizations::remove_from_legal_registry(app, datasets::DEMO_LEGAL_REGISTRY).await?;
    Ok((people, organizations))
}
