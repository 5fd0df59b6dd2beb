//! Webhooks (推送): department systems learn of every change to their agency's cases. A delivery
//! is queued in the outbox in the same transaction as the change, so none is lost or sent for a
//! change that did not happen; a worker posts it, signed with HMAC-SM3 under the webhook's secret,
//! and retries with growing pauses until the receiver answers 2xx. Payloads carry no personal
//! data: the receiver reads the case through the API.

use crate::outbound;
use crate::{App, AppError};
use chrono::{Duration, Utc};
use serde_json::json;
use tongban_domain::CreditCode;
use tongban_store::cases::CaseRow;
use tongban_store::webhooks::{OutboxRow, WebhookRow};

/// The sealing context of webhook secrets.
const SECRET: &str = "webhook.secret";
/// Attempts after which a delivery is given up (it stays in the outbox with its last error).
pub const MAX_ATTEMPTS: i32 = 12;

/// A registered webhook; the secret is shown once.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub id: String,
    pub secret: String,
}

/// Registers a webhook for an agency's cases.
pub async fn add(app: &App, agency_code: &str, url: &str) -> Result<NewWebhook, AppError> {
    let agency = CreditCode::parse(agency_code.trim()).map_err(|e| AppError::field("agency", e.to_string()))?;
    let url = url.trim();
    if url.contains(char::is_whitespace) {
        return Err(AppError::field("url", "应为 http:// 或 https:// 地址 (an http:// or https:// URL)"));
    }
    app.outbound.check_url("url", url).await?;
    let token = tongban_crypto::token().map_err(AppError::internal)?;
    let hook =
        NewWebhook { id: format!("wh_{}", &token[..16]), secret: tongban_crypto::token().map_err(AppError::internal)? };
    app.store
        .insert_webhook(WebhookRow {
            id: hook.id.clone(),
            agency_code: agency.as_str().to_owned(),
            url: url.to_owned(),
            secret_sealed: app.vault.seal(SECRET, &hook.secret).map_err(AppError::internal)?,
            created_at: Utc::now(),
            revoked_at: None,
        })
        .await?;
    Ok(hook)
}

/// The live webhooks of a case's receiving and deciding agencies.
pub(crate) async fn hooks_for(app: &App, receiving: &str, deciding: &str) -> Result<Vec<WebhookRow>, AppError> {
    let agencies: Vec<&str> = if receiving == deciding { vec![deciding] } else { vec![deciding, receiving] };
    Ok(app.store.webhooks_of(&agencies).await?)
}

/// The deliveries announcing `event` on `case` to `hooks`, to be written with the change. One per
/// webhook and case version, so the id is unique and a repeat cannot queue it twice.
pub(crate) fn deliveries(hooks: &[WebhookRow], case: &CaseRow, event: &str) -> Vec<OutboxRow> {
    let now = Utc::now();
    let payload = json!({
        "event": event,
        "case_number": case.case_number,
        "state": case.state,
        "step": case.step,
        "offering_code": case.offering_code,
        "receiving_agency": case.receiving_agency,
        "deciding_agency": case.deciding_agency,
        "version": case.version,
        "at": now,
    })
    .to_string();
    hooks
        .iter()
        .map(|h| OutboxRow {
            id: format!("{}:{}:{}", case.case_number, case.version, h.id),
            webhook_id: h.id.clone(),
            event: event.to_owned(),
            payload: payload.clone(),
            created_at: now,
            attempts: 0,
            next_at: now,
            delivered_at: None,
            last_error: None,
        })
        .collect()
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// The pause before attempt `n + 1`: 30 s doubling, at most six hours.
fn backoff(attempts: i32) -> Duration {
    Duration::seconds(30 * (1i64 << attempts.clamp(0, 10))).min(Duration::hours(6))
}

/// Posts the due deliveries once each, through the outbound client (no redirects followed,
/// internal addresses refused unless allowed), a batch at a time until none is due or the round
/// has run a minute (the next round goes on). Each batch is taken before it is posted, so two
/// live workers never post one delivery at once, and posted at once, so that it is done within
/// the outbound client's timeout (10 s) and a short hold outlasts it: a batch whose worker died —
/// a node killed, a database failover cutting the round — is taken again a minute later. Delivery
/// is at least once: a post made before such a cut, but not recorded, is made again, and the
/// receiver drops it by its `x-tongban-delivery`.
pub async fn deliver_due(app: &App) -> Result<Round, AppError> {
    const BATCH: u64 = 20;
    let hold = Duration::seconds(60);
    let started = std::time::Instant::now();
    let mut round = Round::default();
    loop {
        let due = app.store.take_due_deliveries(Utc::now(), hold, MAX_ATTEMPTS, BATCH).await?;
        let full = due.len() as u64 == BATCH;
        for delivered in futures_util::future::join_all(due.into_iter().map(|d| deliver(app, d))).await {
            match delivered? {
                Some(true) => round.delivered += 1,
                Some(false) => round.failed += 1,
                None => {}
            }
        }
        if !full || started.elapsed() > std::time::Duration::from_secs(60) {
            return Ok(round);
        }
    }
}

/// Posts one delivery and records the outcome: delivered (true), failed and to be retried
/// (false), or given up for a revoked webhook (none).
async fn deliver(app: &App, d: OutboxRow) -> Result<Option<bool>, AppError> {
    let Some(hook) = app.store.webhook(&d.webhook_id).await?.filter(|h| h.revoked_at.is_none()) else {
        app.store.mark_failed(&d.id, Utc::now() + Duration::days(3650), "webhook revoked").await?;
        return Ok(None);
    };
    let Ok(secret) = app.vault.open(SECRET, &hook.secret_sealed) else {
        // One bad row must not stop the others.
        app.store.mark_failed(&d.id, Utc::now() + backoff(d.attempts), "secret cannot be opened").await?;
        return Ok(Some(false));
    };
    if !app.outbound.literal_permitted(&hook.url) {
        app.store.mark_failed(&d.id, Utc::now() + backoff(d.attempts), "address not permitted").await?;
        return Ok(Some(false));
    }
    let timestamp = Utc::now().timestamp();
    let signature = outbound::signature(&secret, timestamp, &d.payload);
    let sent = app
        .outbound
        .http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-tongban-event", &d.event)
        .header("x-tongban-delivery", &d.id)
        .header(outbound::TIMESTAMP_HEADER, timestamp.to_string())
        .header(outbound::SIGNATURE_HEADER, signature)
        .body(d.payload.clone())
        .send()
        .await;
    match sent {
        Ok(res) if res.status().is_success() => {
            app.store.mark_delivered(&d.id, Utc::now()).await?;
            Ok(Some(true))
        }
        outcome => {
            let error = match outcome {
                Ok(res) => format!("HTTP {}", res.status()),
                Err(e) => e.to_string(),
            };
            app.store.mark_failed(&d.id, Utc::now() + backoff(d.attempts), &error).await?;
            Ok(Some(false))
        }
    }
}
