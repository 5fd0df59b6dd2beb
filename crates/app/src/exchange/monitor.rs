//! Monitoring of the exchange (调用监测): a day's calls, errors, latency and quota use per
//! resource and consumer, and a flag on a consumer whose volume jumps far above its usual —
//! for the stewards of either side and the data authority.

use super::{data_roles, is_authority, stewarded};
use crate::access::Principal;
use crate::{App, AppError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use tongban_store::exchange::CallRow;

/// The most calls of one day the figures read.
const DAY_LIMIT: u64 = 200_000;
/// A consumer is flagged when its day exceeds this many times its average of the week before
/// (and at least `JUMP_FLOOR` calls).
const JUMP_FACTOR: f64 = 5.0;
const JUMP_FLOOR: i64 = 100;

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

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The day's figures for the resources and consumers the person sees: the data authority all,
/// a steward those where their agency provides or consumes.
pub async fn day(app: &App, who: &Principal, day: NaiveDate) -> Result<Monitoring, AppError> {
    let roles = data_roles(app, who).await?;
    let own = stewarded(&roles);
    let authority = is_authority(&roles);
    let mut providers: BTreeMap<String, String> = BTreeMap::new();
    let key = day.to_string();
    let calls = app.store.calls_on(&key, DAY_LIMIT).await?;
    let mut visible: Vec<CallRow> = Vec::new();
    for c in calls {
        if !providers.contains_key(&c.resource) {
            let p = app.store.data_resource(&c.resource).await?.map(|r| r.agency_code).unwrap_or_default();
            providers.insert(c.resource.clone(), p);
        }
        if authority || own.contains(&c.consumer_agency) || own.contains(&providers[&c.resource]) {
            visible.push(c);
        }
    }
    let since = (day - chrono::Days::new(7)).to_string();
    let mut week: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (consumer, d, n) in app.store.call_counts_since(&since).await? {
        if d < key {
            week.entry(consumer).or_default().push(n);
        }
    }
    let mut groups: BTreeMap<(String, String), Vec<&CallRow>> = BTreeMap::new();
    for c in &visible {
        groups.entry((c.resource.clone(), c.consumer_agency.clone())).or_default().push(c);
    }
    let mut today_by_consumer: BTreeMap<&str, i64> = BTreeMap::new();
    for c in &visible {
        *today_by_consumer.entry(c.consumer_agency.as_str()).or_default() += 1;
    }
    let mut figures = Vec::new();
    for ((resource, consumer), calls) in groups {
        let mut ms: Vec<u32> = calls.iter().map(|c| c.total_ms.max(0) as u32).collect();
        ms.sort_unstable();
        let grants: std::collections::BTreeSet<&str> = calls.iter().filter_map(|c| c.grant_id.as_deref()).collect();
        let quota = match grants.iter().next() {
            Some(g) if grants.len() == 1 => app.store.data_request(g).await?.map(|r| r.quota_per_day),
            _ => None,
        };
        let usual = week.get(&consumer).map(|v| v.iter().sum::<i64>() as f64 / 7.0).unwrap_or(0.0);
        let today = today_by_consumer.get(consumer.as_str()).copied().unwrap_or(0);
        figures.push(Figures {
            consumer_name: crate::staff::agency_name(app, &consumer).await?,
            calls: calls.len() as u64,
            errors: calls.iter().filter(|c| c.status >= 400).count() as u64,
            p50_ms: percentile(&ms, 0.5),
            p99_ms: percentile(&ms, 0.99),
            quota_used: calls.iter().filter(|c| c.status == 200).count() as u64,
            quota,
            jump: today >= JUMP_FLOOR && (today as f64) > JUMP_FACTOR * usual.max(1.0),
            usual,
            resource,
            consumer_agency: consumer,
        });
    }
    let latest = visible
        .iter()
        .take(50)
        .map(|c| CallView {
            node: c.node,
            seq: c.seq,
            at: c.at,
            resource: c.resource.clone(),
            consumer_agency: c.consumer_agency.clone(),
            grant_id: c.grant_id.clone(),
            case_number: c.case_number.clone(),
            status: c.status,
            code: c.code.clone(),
            total_ms: c.total_ms,
            hash: c.hash.clone(),
        })
        .collect();
    Ok(Monitoring { day, figures, latest })
}
