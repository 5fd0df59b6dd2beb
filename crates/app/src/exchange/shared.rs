//! 免提交: a guide material whose source is a shared resource is fetched through the gateway
//! instead of asked for. Before submitting, the applicant sees what will be fetched from which
//! agency (the EU Once-Only preview) and may decline and upload it instead; after submission the
//! case's handling agency fetches it under its own grant, for that case, logged like any call;
//! its staff see the data with the call's place in the log. A form field whose source is a shared
//! resource is pre-filled the same way when the application starts, naming where it came from.

use super::gateway::{self, PLATFORM_CLIENT, Purpose, Query};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};
use tongban_domain::catalog::{MaterialSource, Offering};
use tongban_domain::forms::PrefillSource;
use tongban_store::cases::CaseRow;
use tongban_store::exchange::CaseSharedRow;

/// What will be fetched for a material, as the applicant sees it before submitting.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedPreview {
    pub resource: String,
    pub resource_name: String,
    pub provider_name: String,
    /// The labels of the items fetched.
    pub items: Vec<String>,
    /// The applicant chose to upload it instead.
    pub declined: bool,
}

/// The sealing context of fetched data (personal data at rest).
const SEALED: &str = "case.shared";

/// The previews of an offering's shared materials whose resource is published, by material.
pub async fn previews(
    app: &App,
    offering: &Offering,
    application_id: &str,
) -> Result<Vec<(String, SharedPreview)>, AppError> {
    let shared: Vec<(&str, &str)> = offering
        .materials
        .iter()
        .filter_map(|m| match &m.source {
            MaterialSource::Shared { resource } => Some((m.name.as_str(), resource.as_str())),
            _ => None,
        })
        .collect();
    if shared.is_empty() {
        return Ok(Vec::new());
    }
    let declined = app.store.shared_declined(application_id).await?;
    let mut out = Vec::new();
    for (material, resource) in shared {
        let Some((row, r)) = super::catalog::published(app, resource).await? else { continue };
        out.push((
            material.to_owned(),
            SharedPreview {
                resource: r.identifier.clone(),
                resource_name: r.name.clone(),
                provider_name: crate::staff::agency_name(app, &row.agency_code).await?,
                items: r.items.iter().map(|i| i.label.clone()).collect(),
                declined: declined.iter().any(|d| d == material),
            },
        ));
    }
    Ok(out)
}

/// The applicant's choice for a shared material: upload it instead (`decline`), or have it
/// fetched again.
pub async fn choose(
    app: &App,
    who: &Principal,
    application_id: &str,
    material: &str,
    decline: bool,
) -> Result<(), AppError> {
    let (row, guide) = crate::case_access::own_open_for_files(app, who, application_id).await?;
    let shared = previews(app, &guide.offering, &row.id).await?;
    if !shared.iter().any(|(m, _)| m == material) {
        return Err(AppError::field("material", "这项材料不由数据共享获取 (not a material fetched by sharing)"));
    }
    app.store.set_shared_declined(&row.id, material, decline).await?;
    Ok(())
}

/// The query parameters that name the applicant (the person, or the organization she acts
/// for), whichever a provider reads.
async fn subject_params(app: &App, person_id: &str, organization: &str) -> Result<Map<String, Value>, AppError> {
    let (name, id) = crate::people::name_and_citizen_id(app, person_id).await?;
    let mut p = Map::new();
    p.insert("id_number".into(), Value::String(id.clone()));
    p.insert("name".into(), Value::String(name));
    if organization.is_empty() {
        p.insert("holder_code".into(), Value::String(id));
    } else {
        p.insert("credit_code".into(), Value::String(organization.to_owned()));
        p.insert("holder_code".into(), Value::String(organization.to_owned()));
    }
    Ok(p)
}

/// The values of a form's fields pre-filled from shared resources (一表申请 with data that
/// travels): one call a resource, for the offering's agency under its grant, with the
/// application as the purpose, logged like any. A resource that is not published, not granted
/// or not answering pre-fills nothing: the applicant types those fields.
pub(crate) async fn prefill(
    app: &App,
    application_id: &str,
    person_id: &str,
    organization: &str,
    offering: &Offering,
) -> Result<Map<String, Value>, AppError> {
    let form = offering.form();
    let mut wanted: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
    for f in form.fields() {
        if let (true, Some(s)) = (f.prefill.contains(&PrefillSource::Shared), &f.shared) {
            wanted.entry(s.resource.as_str()).or_default().push((f.name.as_str(), s.item.as_str()));
        }
    }
    let mut values = Map::new();
    for (resource, fields) in wanted {
        if super::catalog::published(app, resource).await?.is_none() {
            continue; // not in the catalog (yet): nothing to ask
        }
        let mut items: Vec<String> = fields.iter().map(|(_, i)| (*i).to_owned()).collect();
        items.dedup();
        let q = Query {
            case_number: Some(application_id.to_owned()),
            params: subject_params(app, person_id, organization).await?,
            items: Some(items),
        };
        let purpose =
            Purpose::OwnApplication { offering_code: &offering.offering_code, applicant_id: person_id, organization };
        let agency = &offering.agency.credit_code;
        match gateway::query_as(app, PLATFORM_CLIENT, agency, resource, q, purpose).await {
            Ok(a) => {
                for (field, item) in fields {
                    if let Some(v) = a.data.get(item).filter(|v| !v.is_null()) {
                        values.insert(field.to_owned(), v.clone());
                    }
                }
            }
            Err(r) => tracing::info!(resource, code = r.code, "a shared pre-fill was not answered"),
        }
    }
    Ok(values)
}

/// Where each field pre-filled from a shared resource came from: the resource's name and its
/// agency's, as the applicant is shown.
pub(crate) async fn prefill_origins(
    app: &App,
    offering: &Offering,
    fields: impl Iterator<Item = &str>,
) -> Result<std::collections::BTreeMap<String, String>, AppError> {
    let mut out = std::collections::BTreeMap::new();
    let form = offering.form();
    for name in fields {
        let Some(s) = form.field(name).and_then(|f| f.shared.as_ref()) else { continue };
        if let Some((row, r)) = super::catalog::published(app, &s.resource).await? {
            let item = r.items.iter().find(|i| i.name == s.item).map_or(s.item.as_str(), |i| i.label.as_str());
            let agency = crate::staff::agency_name(app, &row.agency_code).await?;
            out.insert(name.to_owned(), format!("{agency}“{}”· {item}", r.name));
        }
    }
    Ok(out)
}

/// Fetches the case's shared materials the applicant did not decline, for its handling agency:
/// each answer (or why there is none) kept with the call's place in the log. Never fails the
/// submission: a material that could not be fetched is shown to staff with the reason.
pub async fn fetch_for_case(app: &App, case: &CaseRow, offering: &Offering) -> Result<usize, AppError> {
    let mut fetched = 0;
    for (material, preview) in previews(app, offering, &case.application_id).await? {
        if preview.declined {
            continue;
        }
        let q = Query {
            case_number: Some(case.case_number.clone()),
            params: subject_params(app, &case.applicant_id, &case.organization).await?,
            items: None,
        };
        let answer =
            gateway::query_as(app, PLATFORM_CLIENT, &case.handling_agency, &preview.resource, q, Purpose::Case).await;
        let mut row = CaseSharedRow {
            case_number: case.case_number.clone(),
            material,
            resource: preview.resource.clone(),
            offering_code: case.offering_code.clone(),
            status: "fetched".into(),
            data_sealed: None,
            error: String::new(),
            call_node: None,
            call_seq: None,
            call_hash: None,
            fetched_at: Utc::now(),
        };
        let call = match answer {
            Ok(a) => {
                row.data_sealed = Some(app.vault.seal(SEALED, &a.data.to_string()).map_err(AppError::internal)?);
                fetched += 1;
                Some(a.call)
            }
            Err(r) => {
                row.status = "failed".into();
                row.error = r.message;
                r.call.map(|c| *c)
            }
        };
        if let Some(c) = call {
            (row.call_node, row.call_seq, row.call_hash) = (Some(c.node), Some(c.seq), Some(c.hash));
        }
        app.store.put_case_shared(row).await?;
    }
    Ok(fetched)
}

/// A material a case fetched, as its handling staff (and its applicant) see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FetchedView {
    pub material: String,
    pub resource: String,
    pub resource_name: String,
    pub provider_name: String,
    pub fetched: bool,
    /// (item label, value as text) of the data fetched.
    pub data: Vec<(String, String)>,
    pub error: String,
    /// The call's place in the log: `NODE-SEQ`, and its SM3 digest.
    pub call: Option<String>,
    pub call_hash: Option<String>,
    pub fetched_at: chrono::DateTime<Utc>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Null => "—".into(),
        other => other.to_string(),
    }
}

/// What the case fetched, for whoever may read the case.
pub async fn fetched(app: &App, who: &Principal, case_number: &str) -> Result<Vec<FetchedView>, AppError> {
    crate::case_access::readable_case(app, who, case_number).await?;
    let mut out = Vec::new();
    for row in app.store.case_shared(case_number).await? {
        let entry = super::catalog::published(app, &row.resource).await?;
        let (resource_name, provider_name, labels) = match &entry {
            Some((r, spec)) => (
                spec.name.clone(),
                crate::staff::agency_name(app, &r.agency_code).await?,
                spec.items.iter().map(|i| (i.name.clone(), i.label.clone())).collect::<Vec<_>>(),
            ),
            None => (row.resource.clone(), String::new(), Vec::new()),
        };
        let label = |k: &str| labels.iter().find(|(n, _)| n == k).map(|(_, l)| l.clone()).unwrap_or_else(|| k.into());
        let data = match &row.data_sealed {
            Some(sealed) => {
                let v: Value = serde_json::from_str(&app.vault.open(SEALED, sealed).map_err(AppError::internal)?)
                    .map_err(AppError::internal)?;
                match v {
                    Value::Object(m) => m.iter().map(|(k, v)| (label(k), text(v))).collect(),
                    Value::Array(rows) => rows
                        .iter()
                        .enumerate()
                        .flat_map(|(i, r)| match r {
                            Value::Object(m) => {
                                m.iter().map(|(k, v)| (format!("{} {}", i + 1, label(k)), text(v))).collect()
                            }
                            other => vec![(format!("{}", i + 1), text(other))],
                        })
                        .collect(),
                    other => vec![(String::new(), text(&other))],
                }
            }
            None => Vec::new(),
        };
        out.push(FetchedView {
            fetched: row.status == "fetched",
            call: row.call_node.zip(row.call_seq).map(|(n, s)| format!("{n}-{s}")),
            call_hash: row.call_hash,
            material: row.material,
            resource: row.resource,
            resource_name,
            provider_name,
            data,
            error: row.error,
            fetched_at: row.fetched_at,
        });
    }
    Ok(out)
}
