//! The data resource catalog (政务数据资源目录): a steward saves versions of their agency's
//! entries and publishes one; requests and calls use the published version. Import and export
//! as JSON Lines, one entry a line, with a report of the refused lines.

use super::{data_roles, is_authority, stewarded};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use tongban_domain::exchange::{Provider, Resource};
use tongban_store::exchange::{DataResourceRow, DataResourceVersionRow};

/// A resource as the catalog shows it: the entry of its latest (or published) version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceView {
    pub resource: Resource,
    pub agency_name: String,
    pub version: i32,
    pub latest_version: i32,
    pub published_version: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

fn parse(row: &DataResourceVersionRow) -> Result<Resource, AppError> {
    serde_json::from_str(&row.body).map_err(|e| AppError::internal(format!("resource {}: {e}", row.identifier)))
}

/// May the person change `agency_code`'s entries?
async fn may_edit(app: &App, who: &Principal, agency_code: &str) -> Result<(), AppError> {
    let roles = data_roles(app, who).await?;
    if is_authority(&roles) || stewarded(&roles).iter().any(|a| a == agency_code) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The catalog is the government's: staff of any role read it, acting as themselves.
async fn staff_only(app: &App, who: &Principal) -> Result<Vec<crate::access::Assignment>, AppError> {
    let roles = crate::access::roles(app, &who.person_id).await?;
    if roles.is_empty() || who.acting.is_some() { Err(AppError::Forbidden) } else { Ok(roles) }
}

/// Checks an entry whole: its fields, and an upstream URL the outbound client may call.
async fn check(app: &App, r: &Resource) -> Result<(), AppError> {
    let mut fields = r.validate().err().unwrap_or_default();
    if let Some(Provider::Upstream { url }) = &r.provider
        && !fields.contains_key("provider.url")
        && let Err(AppError::Validation { fields: f }) = app.outbound.check_url("provider.url", url).await
    {
        fields.extend(f);
    }
    if fields.is_empty() { Ok(()) } else { Err(AppError::Validation { fields }) }
}

/// Saves an entry as the resource's next version (its first: registering it). `expected`: the
/// latest version the steward edited (409 when another save came first); none for a new one.
pub async fn save(app: &App, who: &Principal, r: Resource, expected: Option<i32>) -> Result<ResourceView, AppError> {
    may_edit(app, who, &r.agency_code).await?;
    check(app, &r).await?;
    let current = app.store.data_resource(&r.identifier).await?;
    let version = match (&current, expected) {
        (None, None) => 1,
        (Some(c), Some(e)) if c.agency_code == r.agency_code => e + 1,
        (Some(_), None) => {
            return Err(AppError::Conflict {
                field: "identifier",
                message: format!("资源代码 {} 已登记 (already registered)", r.identifier),
            });
        }
        (Some(_), Some(_)) => {
            return Err(AppError::field("agency_code", "不能改变提供方 (the provider cannot change)"));
        }
        (None, Some(_)) => return Err(AppError::NotFound { what: "数据资源", what_en: "data resource" }),
    };
    let now = Utc::now();
    let row = DataResourceRow {
        identifier: r.identifier.clone(),
        agency_code: r.agency_code.clone(),
        name: r.name.trim().to_owned(),
        sharing: r.sharing.as_str().into(),
        latest_version: version,
        published_version: None,
        updated_at: now,
    };
    let body = serde_json::to_string(&r).map_err(AppError::internal)?;
    let v = DataResourceVersionRow {
        identifier: r.identifier.clone(),
        version,
        body,
        saved_by: who.person_id.clone(),
        saved_at: now,
        published_at: None,
    };
    if !app.store.save_data_resource(row, v, expected).await? {
        return Err(match expected {
            None => AppError::Conflict {
                field: "identifier",
                message: format!("资源代码 {} 已登记 (already registered)", r.identifier),
            },
            Some(_) => AppError::stale(),
        });
    }
    tracing::info!(resource = %r.identifier, version, "data resource saved");
    view(app, Some(who), &r.identifier, Some(version)).await
}

/// Publishes a saved version.
pub async fn publish(app: &App, who: &Principal, identifier: &str, version: i32) -> Result<ResourceView, AppError> {
    data_roles(app, who).await?;
    let row = app
        .store
        .data_resource(identifier)
        .await?
        .ok_or(AppError::NotFound { what: "数据资源", what_en: "data resource" })?;
    may_edit(app, who, &row.agency_code).await?;
    if !app.store.publish_data_resource(identifier, version, Utc::now()).await? {
        return Err(AppError::field("version", format!("没有第 {version} 版 (no version {version})")));
    }
    app.exchange.forget(identifier);
    tracing::info!(resource = %identifier, version, "data resource published");
    view(app, Some(who), identifier, Some(version)).await
}

/// The published entry of a resource (what requests and calls use), if published.
pub async fn published(app: &App, identifier: &str) -> Result<Option<(DataResourceRow, Resource)>, AppError> {
    let Some(row) = app.store.data_resource(identifier).await? else { return Ok(None) };
    let Some(v) = row.published_version else { return Ok(None) };
    let Some(body) = app.store.data_resource_version(identifier, v).await? else { return Ok(None) };
    let r = parse(&body)?;
    Ok(Some((row, r)))
}

/// One resource at a version (the published one, else the latest). Unpublished entries only
/// for their agency's stewards and the data authority; `who` none: published only.
pub async fn view(
    app: &App,
    who: Option<&Principal>,
    identifier: &str,
    version: Option<i32>,
) -> Result<ResourceView, AppError> {
    let missing = || AppError::NotFound { what: "数据资源", what_en: "data resource" };
    if let Some(w) = who {
        staff_only(app, w).await?;
    }
    let row = app.store.data_resource(identifier).await?.ok_or_else(missing)?;
    let editor = match who {
        Some(w) => may_edit(app, w, &row.agency_code).await.is_ok(),
        None => false,
    };
    let at = version.or(row.published_version).unwrap_or(row.latest_version);
    if !editor && row.published_version != Some(at) {
        return Err(missing());
    }
    let body = app.store.data_resource_version(identifier, at).await?.ok_or_else(missing)?;
    Ok(ResourceView {
        resource: parse(&body)?,
        agency_name: crate::staff::agency_name(app, &row.agency_code).await?,
        version: at,
        latest_version: row.latest_version,
        published_version: row.published_version,
        updated_at: row.updated_at,
    })
}

/// The versions of a resource, newest first: number, when saved, when published.
pub async fn versions(
    app: &App,
    who: &Principal,
    identifier: &str,
) -> Result<Vec<(i32, DateTime<Utc>, Option<DateTime<Utc>>)>, AppError> {
    let row = app
        .store
        .data_resource(identifier)
        .await?
        .ok_or(AppError::NotFound { what: "数据资源", what_en: "data resource" })?;
    may_edit(app, who, &row.agency_code).await?;
    Ok(app
        .store
        .data_resource_versions(identifier)
        .await?
        .into_iter()
        .map(|v| (v.version, v.saved_at, v.published_at))
        .collect())
}

/// The catalog: published resources, and the person's own agencies' unpublished ones; `q`
/// keeps those whose name, abstract, classification, identifier or item labels contain every
/// word of it, segmented as the catalog search segments a query.
pub async fn list(app: &App, who: &Principal, q: &str) -> Result<Vec<ResourceView>, AppError> {
    let roles = staff_only(app, who).await?;
    let own = stewarded(&roles);
    let authority = is_authority(&roles);
    // The words as the Chinese search segments them (人口核验 → 人口, 核验), with each reading its
    // synonyms give, when this process keeps the index; else as typed.
    let readings: Vec<Vec<String>> = match &app.index {
        Some(index) => index.readings(q),
        None => vec![q.split_whitespace().map(str::to_owned).collect()],
    };
    let readings: Vec<Vec<String>> =
        readings.into_iter().map(|r| r.into_iter().map(|w| w.to_lowercase()).take(8).collect()).collect();
    let rows: Vec<DataResourceRow> =
        app.store.data_resources(None).await?.into_iter().chain(own_unpublished(app, &own).await?).collect();
    let codes: Vec<String> = rows.iter().map(|r| r.agency_code.clone()).collect();
    let names: std::collections::HashMap<String, String> = app.store.agency_names(&codes).await?.into_iter().collect();
    let mut found = Vec::new();
    for row in rows {
        let editor = authority || own.contains(&row.agency_code);
        let at = if editor { row.latest_version } else { row.published_version.unwrap_or(row.latest_version) };
        let Some(body) = app.store.data_resource_version(&row.identifier, at).await? else { continue };
        let r = parse(&body)?;
        let Some(score) = readings.iter().filter_map(|words| score(&r, words)).max() else { continue };
        found.push((
            score,
            ResourceView {
                agency_name: names.get(&row.agency_code).cloned().unwrap_or_else(|| row.agency_code.clone()),
                resource: r,
                version: at,
                latest_version: row.latest_version,
                published_version: row.published_version,
                updated_at: row.updated_at,
            },
        ));
    }
    // Best first; equals keep the catalog's order.
    found.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    Ok(found.into_iter().map(|(_, v)| v).collect())
}

/// How well an entry answers the words, none when one is missing: a word in the name counts
/// most, then in the items, then in the identifier, abstract or classification.
fn score(r: &Resource, words: &[String]) -> Option<u32> {
    let name = r.name.to_lowercase();
    let items = r.items.iter().map(|i| format!("{} {}", i.label, i.name)).collect::<Vec<_>>().join(" ").to_lowercase();
    let rest = format!("{} {} {}", r.identifier, r.summary, r.classification).to_lowercase();
    words.iter().try_fold(0, |sum, w| {
        let weight = if name.contains(w.as_str()) {
            4
        } else if items.contains(w.as_str()) {
            2
        } else if rest.contains(w.as_str()) {
            1
        } else {
            return None;
        };
        Some(sum + weight)
    })
}

async fn own_unpublished(app: &App, own: &[String]) -> Result<Vec<DataResourceRow>, AppError> {
    let mut v = Vec::new();
    for a in own {
        v.extend(app.store.data_resources(Some(a)).await?.into_iter().filter(|r| r.published_version.is_none()));
    }
    Ok(v)
}

/// An import: how many entries were saved (and published), and each refused line's reasons.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub saved: usize,
    pub refused: Vec<RefusedLine>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefusedLine {
    pub line: usize,
    pub reasons: Vec<String>,
}

/// Imports JSON Lines of entries, each saved as its resource's next version and published.
/// A line that fails is reported and the others still go in.
pub async fn import(app: &App, who: &Principal, text: &str) -> Result<ImportReport, AppError> {
    data_roles(app, who).await?;
    let mut report = ImportReport::default();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let refuse = |reasons: Vec<String>| RefusedLine { line: i + 1, reasons };
        let r: Resource = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                report.refused.push(refuse(vec![format!("不是有效的资源条目 (not a resource entry): {e}")]));
                continue;
            }
        };
        let expected = app.store.data_resource(&r.identifier).await?.map(|c| c.latest_version);
        let id = r.identifier.clone();
        let saved = match save(app, who, r, expected).await {
            Ok(v) => publish(app, who, &id, v.version).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(_) => report.saved += 1,
            Err(AppError::Validation { fields }) => {
                report.refused.push(refuse(fields.into_iter().map(|(k, v)| format!("{k}: {v}")).collect()))
            }
            Err(AppError::Forbidden) => {
                report.refused.push(refuse(vec!["不是您所管理部门的资源 (not your agency's resource)".into()]))
            }
            Err(e @ AppError::Conflict { .. }) => report.refused.push(refuse(vec![e.to_string()])),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// The published entries as JSON Lines (what `import` reads).
pub async fn export(app: &App, who: &Principal) -> Result<String, AppError> {
    let mut out = String::new();
    for v in list(app, who, "").await? {
        if v.published_version.is_some() {
            let published = published(app, &v.resource.identifier).await?;
            if let Some((_, r)) = published {
                out.push_str(&serde_json::to_string(&r).map_err(AppError::internal)?);
                out.push('\n');
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tongban_domain::exchange::{DataItem, Sensitivity, SharingClass};

    fn entry(name: &str, item: &str, summary: &str) -> Resource {
        Resource {
            identifier: "X-0001".into(),
            name: name.into(),
            summary: summary.into(),
            agency_code: String::new(),
            classification: String::new(),
            items: vec![DataItem {
                name: "a".into(),
                label: item.into(),
                kind: "string".into(),
                sensitivity: Sensitivity::General,
            }],
            sharing: SharingClass::Unconditional,
            sharing_condition: String::new(),
            open_class: String::new(),
            update_cycle: String::new(),
            format: String::new(),
            provider: None,
            subject: None,
        }
    }

    #[test]
    fn a_word_in_the_name_ranks_above_one_in_the_items_or_the_abstract() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let named = entry("户籍人口信息", "姓名", "");
        let itemised = entry("居民信息", "户籍地址", "");
        let described = entry("居民信息", "姓名", "含户籍");
        let s = |r: &Resource| score(r, &words(&["户籍"]));
        assert!(s(&named) > s(&itemised) && s(&itemised) > s(&described), "{:?}", (s(&named), s(&itemised)));
        assert_eq!(score(&named, &words(&["户籍", "不动产"])), None, "every word must be found");
    }
}
