//! The displays' live calls (叫号屏): every call is written to the database with the ticket it
//! takes; each node polls the calls of all halls once every `POLL` while a display is connected
//! to it and hands them to its displays, so a call made on any node reaches every display — not
//! only those of the node that made it (bcgov/queue-management#498). A call made on this node is
//! handed over at once as well; each call goes out once per node, in order, and none overwrites
//! another (the display queues them: mrf345/FQM#138).

use crate::App;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;
use tongban_store::hall::CallRow;

/// How often a node reads new calls while a display is connected to it.
const POLL: std::time::Duration = std::time::Duration::from_millis(100);
/// How far back each poll reads: a call committed late on another node (its time set before its
/// commit) is still seen.
const LOOKBACK_SECS: i64 = 3;

/// This node's hub of calls.
pub struct Calls {
    tx: broadcast::Sender<Arc<CallRow>>,
    /// Calls already handed over, by id, with their time (kept for the lookback).
    seen: Mutex<HashMap<String, DateTime<Utc>>>,
    polling: std::sync::atomic::AtomicBool,
}

impl Default for Calls {
    fn default() -> Self {
        Self { tx: broadcast::channel(4096).0, seen: Mutex::default(), polling: Default::default() }
    }
}

impl Calls {
    /// Hands a call to this node's displays unless it went out already.
    pub(crate) fn publish(&self, c: CallRow) {
        let fresh = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            let horizon = Utc::now() - Duration::seconds(LOOKBACK_SECS * 2);
            if seen.len() > 10_000 {
                seen.retain(|_, at| *at > horizon);
            }
            seen.insert(c.id.clone(), c.at).is_none()
        };
        if fresh {
            let _ = self.tx.send(Arc::new(c));
        }
    }
}

/// A display's subscription to the calls of every hall (it keeps those of its own); starts this
/// node's poller on the first.
pub fn subscribe(app: &App) -> broadcast::Receiver<Arc<CallRow>> {
    let calls = &app.hall.calls;
    let rx = calls.tx.subscribe();
    if !calls.polling.swap(true, std::sync::atomic::Ordering::AcqRel) {
        let app = app.clone();
        tokio::spawn(async move { poll(app).await });
    }
    rx
}

/// Reads new calls while anyone listens; stops (and may be started again) when no one does.
async fn poll(app: App) {
    let calls = &app.hall.calls;
    let mut since = Utc::now() - Duration::seconds(LOOKBACK_SECS);
    loop {
        tokio::time::sleep(POLL).await;
        if calls.tx.receiver_count() == 0 {
            calls.polling.store(false, std::sync::atomic::Ordering::Release);
            // A display that subscribed meanwhile would find the flag still set: take it back.
            if calls.tx.receiver_count() == 0 || calls.polling.swap(true, std::sync::atomic::Ordering::AcqRel) {
                return;
            }
        }
        let now = Utc::now();
        match app.store.calls_since(since).await {
            Ok(rows) => {
                for c in rows {
                    calls.publish(c);
                }
                since = now - Duration::seconds(LOOKBACK_SECS);
            }
            Err(e) => tracing::warn!(error = %e, "reading the hall calls failed"),
        }
    }
}

/// A hall's latest calls, the newest first (what a display shows when it opens).
pub async fn recent(app: &App, hall_id: &str, limit: u64) -> Result<Vec<CallRow>, crate::AppError> {
    app.store.hall(hall_id).await?.ok_or(super::NO_HALL)?;
    Ok(app.store.recent_calls(hall_id, limit).await?)
}
