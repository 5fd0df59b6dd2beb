//! Monitoring of the exchange (调用监测): a day's calls, errors, latency and quota use per
//! resource and consumer, and a flag on a consumer whose volume jumps far above its usual —
//! for the stewards of either side and the data authority. The figures are folded from the call
//! log by the sealer, batch by batch (`figure_rows`), so a busy day is never reread.

use super::{data_roles, is_authority, stewarded};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tongban_domain::exchange::{DayFigures, either_grant};
use tongban_store::exchange::{CallRow, FigureRow};

/// A consumer is flagged when its day exceeds this many times its average of the week before
/// (and at least `JUMP_FLOOR` calls).
const JUMP_FACTOR: f64 = 5.0;
const JUMP_FLOOR: u64 = 100;

/// The figures of one resource and consumer on a day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    pub resource: String,
    pub consumer_agency: String,
    pub consumer_name: String,
    pub calls: u64,
    pub errors: u64,
    pub p50_ms: u32,
    pub p99_ms: u32,
    /// Calls answered under a grant against its daily quota, when one grant was used.
    pub quota_used: u64,
    pub quota: Option<i32>,
    /// The consumer's calls today far exceed its average of the previous seven days.
    pub jump: bool,
    /// The consumer's average calls a day over the previous seven days.
    pub usual: f64,
}

/// One logged call, as the monitoring page lists the latest.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallView {
    pub node: i32,
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub resource: String,
    pub consumer_agency: String,
    pub grant_id: Option<String>,
    pub case_number: Option<String>,
    pub status: i32,
    pub code: String,
    pub total_ms: i32,
    pub hash: String,
}

/// What the monitoring shows for a day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Monitoring {
    pub day: NaiveDate,
    pub figures: Vec<Figures>,
    pub latest: Vec<CallView>,
}

/// Figures by day, resource and consumer, with the grant the answered calls used (`*`: several).
type Folded = BTreeMap<(String, String, String), (DayFigures, Option<String>)>;

fn fold_into(folded: &mut Folded, calls: &[CallRow]) {
    for c in calls {
        let (f, grant) = folded.entry((c.day.clone(), c.resource.clone(), c.consumer_agency.clone())).or_default();
        f.add(c.status, c.total_ms);
        if c.status == 200 {
            *grant = either_grant(grant.take(), c.grant_id.clone());
        }
    }
}

/// A sealed batch's calls as the rows of the day figures the sealer folds them into.
pub(super) fn figure_rows(calls: &[CallRow]) -> Vec<FigureRow> {
    let mut folded = Folded::new();
    fold_into(&mut folded, calls);
    folded
        .into_iter()
        .map(|((day, resource, consumer_agency), (f, grant_id))| FigureRow {
            day,
            resource,
            consumer_agency,
            grant_id,
            figures: serde_json::to_string(&f).unwrap_or_default(),
        })
        .collect()
}

/// The day's figures for the resources and consumers the person sees: the data authority all,
/// a steward those where their agency provides or consumes. Read from the figures the sealer
/// keeps, plus the calls logged since the last seal (seconds of traffic); never the day's calls.
/// (A seal landing between those two reads leaves its batch out of this one view, not out of
/// the figures.)
pub async fn day(app: &App, who: &Principal, day: NaiveDate) -> Result<Monitoring, AppError> {
    let roles = data_roles(app, who).await?;
    let own = stewarded(&roles);
    let authority = is_authority(&roles);
    let providers: HashMap<String, String> =
        app.store.data_resources(None).await?.into_iter().map(|r| (r.identifier, r.agency_code)).collect();
    let sees = |resource: &str, consumer: &str| {
        authority || own.iter().any(|a| a == consumer || providers.get(resource) == Some(a))
    };
    let key = day.to_string();
    let mut folded = Folded::new();
    for row in app.store.figures_since(&(day - chrono::Days::new(7)).to_string()).await? {
        let f: DayFigures = serde_json::from_str(&row.figures).map_err(AppError::internal)?;
        folded.insert((row.day, row.resource, row.consumer_agency), (f, row.grant_id));
    }
    // The calls logged since each node's last seal join them.
    let mut unsealed = Folded::new();
    for node in app.store.call_nodes().await? {
        let mut from = app.store.last_seal(node).await?.map_or(0, |s| s.last_seq) + 1;
        loop {
            let calls = app.store.calls(node, from, from + super::log::SEAL_BATCH - 1).await?;
            fold_into(&mut unsealed, &calls);
            match calls.last() {
                Some(c) if calls.len() as i64 == super::log::SEAL_BATCH => from = c.seq + 1,
                _ => break,
            }
        }
    }
    for (k, (f, grant)) in unsealed {
        let (sum, g) = folded.entry(k).or_default();
        sum.merge(&f);
        *g = either_grant(g.take(), grant);
    }
    // Each consumer's calls a day, over everything it called.
    let mut per_day: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for ((d, _, consumer), (f, _)) in &folded {
        *per_day.entry((consumer.as_str(), d.as_str())).or_default() += f.calls;
    }
    let today = |consumer: &str| per_day.get(&(consumer, key.as_str())).copied().unwrap_or(0);
    let usual = |consumer: &str| {
        per_day.iter().filter(|((c, d), _)| *c == consumer && *d < key.as_str()).map(|(_, n)| *n).sum::<u64>() as f64
            / 7.0
    };
    let shown: Vec<_> = folded.iter().filter(|((d, r, c), _)| *d == key && sees(r, c)).collect();
    let codes: Vec<String> = shown.iter().map(|((_, _, c), _)| c.clone()).collect();
    let names: HashMap<String, String> = app.store.agency_names(&codes).await?.into_iter().collect();
    let mut figures = Vec::new();
    for ((_, resource, consumer), (f, grant)) in shown {
        let quota = match grant.as_deref() {
            Some(g) if g != "*" => app.store.data_request(g).await?.map(|r| r.quota_per_day),
            _ => None,
        };
        let usual = usual(consumer);
        let today = today(consumer);
        figures.push(Figures {
            resource: resource.clone(),
            consumer_agency: consumer.clone(),
            consumer_name: names.get(consumer).cloned().unwrap_or_else(|| consumer.clone()),
            calls: f.calls,
            errors: f.errors,
            p50_ms: f.percentile_ms(0.5),
            p99_ms: f.percentile_ms(0.99),
            quota_used: f.answered,
            quota,
            jump: today >= JUMP_FLOOR && (today as f64) > JUMP_FACTOR * usual.max(1.0),
            usual,
        });
    }
    let latest = app
        .store
        .calls_on(&key, 500)
        .await?
        .into_iter()
        .filter(|c| sees(&c.resource, &c.consumer_agency))
        .take(50)
        .map(|c| CallView {
            node: c.node,
            seq: c.seq,
            at: c.at,
            resource: c.resource,
            consumer_agency: c.consumer_agency,
            grant_id: c.grant_id,
            case_number: c.case_number,
            status: c.status,
            code: c.code,
            total_ms: c.total_ms,
            hash: c.hash,
        })
        .collect();
    Ok(Monitoring { day, figures, latest })
}
