//! The call log that proves itself (the X-Road message log, without its failures). Every call
//! through the gateway is appended before its answer goes out: one writer task per process
//! numbers the waiting calls, chains each to the node's previous one by SM3 and commits them
//! in one transaction (group commit) — so a call acknowledged is a call logged, and kill -9
//! loses none. Sealing runs apart, on a timer (`seal_due`): it reads committed calls only and
//! signs the Merkle root of each batch with the platform's SM2 key — folding the batch into the
//! day figures as it goes —, so it never holds a lock a call waits for nor slows the traffic.
//! `verify` checks every chain and seal in the database; `export` writes a segment — calls, the
//! seals over them, the public keys — that `verify_segment` checks offline, as evidence.

use crate::{App, AppError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};
use tongban_crypto::seal::{self, Signer};
use tongban_domain::exchange::merkle_root;
use tongban_store::Store;
use tongban_store::exchange::{CallRow, SealRow};

/// Calls at most in one sealed batch.
pub const SEAL_BATCH: i64 = 10_000;
/// Calls at most in one commit of the writer: one statement.
const COMMIT_BATCH: usize = tongban_store::exchange::APPEND_CHUNK;

/// A call to log, before it is numbered and chained.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub client_id: String,
    pub consumer_agency: String,
    pub resource: String,
    pub grant_id: Option<String>,
    pub case_number: Option<String>,
    pub status: u16,
    pub code: String,
    pub upstream_ms: u32,
    pub total_ms: u32,
    pub request_sm3: String,
    pub response_sm3: String,
    pub body_sealed: Option<String>,
}

/// Where a call sits in the log: what a department quotes as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallRef {
    pub node: i32,
    pub seq: i64,
    /// The call's chain digest (SM3).
    pub hash: String,
}

type Job = (Entry, oneshot::Sender<Result<CallRef, String>>);

/// The handle of the process's log writer.
pub(super) struct Writer(mpsc::Sender<Job>);

/// The chain digest of a call: SM3 over the previous digest and every other field, in a fixed
/// order (a JSON array — written from a tuple, no JSON values built; the time to the
/// microsecond both backends keep).
pub fn call_hash(c: &CallRow) -> String {
    let fields = (
        c.node,
        c.seq,
        c.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        &c.day,
        &c.client_id,
        &c.consumer_agency,
        &c.resource,
        &c.grant_id,
        &c.case_number,
        c.status,
        &c.code,
        c.upstream_ms,
        c.total_ms,
        &c.request_sm3,
        &c.response_sm3,
        &c.body_sealed,
    );
    let mut text = Vec::with_capacity(512);
    text.extend_from_slice(c.prev_hash.as_bytes());
    text.push(b'\n');
    serde_json::to_writer(&mut text, &fields).expect("serializing into memory");
    tongban_crypto::sm3_hex(&text)
}

fn join(a: &str, b: &str) -> String {
    tongban_crypto::sm3_hex(format!("{a}{b}").as_bytes())
}

/// What a seal signs.
fn seal_message(s: &SealRow) -> Vec<u8> {
    format!("tongban-exchange-log\n{}\n{}\n{}\n{}\n{}", s.node, s.batch, s.first_seq, s.last_seq, s.root).into_bytes()
}

/// Appends a call to the log and waits for its commit.
pub async fn append(app: &App, e: Entry) -> Result<CallRef, AppError> {
    let node = i32::from(app.exchange.settings.node);
    let writer = app
        .exchange
        .writer
        .get_or_init(|| async {
            let (tx, rx) = mpsc::channel(16_384);
            tokio::spawn(run(app.store.clone(), node, rx));
            Writer(tx)
        })
        .await;
    let (tx, rx) = oneshot::channel();
    let gone = || AppError::Unavailable { message: "调用日志不可用 (the call log is unavailable)".into() };
    writer.0.send((e, tx)).await.map_err(|_| gone())?;
    rx.await.map_err(|_| gone())?.map_err(|message| AppError::Unavailable { message })
}

/// The writer: takes what waits (up to a commit's worth), chains it after the node's last call
/// and commits it in one transaction, then answers every waiting call.
async fn run(store: Store, node: i32, mut rx: mpsc::Receiver<Job>) {
    let mut head: Option<(i64, String)> = None;
    let mut jobs: Vec<Job> = Vec::with_capacity(COMMIT_BATCH);
    while rx.recv_many(&mut jobs, COMMIT_BATCH).await > 0 {
        // The calls being answered beside this one reach the queue in a moment: letting them
        // join makes fewer, larger commits (the cores are what calls wait for under load).
        tokio::task::yield_now().await;
        while jobs.len() < COMMIT_BATCH
            && let Ok(job) = rx.try_recv()
        {
            jobs.push(job);
        }
        let (mut seq, mut prev) = match head.take() {
            Some(h) => h,
            None => match store.last_call(node).await {
                Ok(last) => last.map(|c| (c.seq, c.hash)).unwrap_or((0, String::new())),
                Err(e) => {
                    for (_, tx) in jobs.drain(..) {
                        let _ = tx.send(Err(format!("调用日志不可用 (the call log is unavailable): {e}")));
                    }
                    continue;
                }
            },
        };
        let mut waiting = Vec::with_capacity(jobs.len());
        let rows: Vec<CallRow> = jobs
            .drain(..)
            .map(|(e, tx)| {
                waiting.push(tx);
                seq += 1;
                let mut row = CallRow {
                    node,
                    seq,
                    at: e.at,
                    day: tongban_domain::calendar::china_time(e.at).date().to_string(),
                    client_id: e.client_id,
                    consumer_agency: e.consumer_agency,
                    resource: e.resource,
                    grant_id: e.grant_id,
                    case_number: e.case_number,
                    status: i32::from(e.status),
                    code: e.code,
                    upstream_ms: e.upstream_ms as i32,
                    total_ms: e.total_ms as i32,
                    request_sm3: e.request_sm3,
                    response_sm3: e.response_sm3,
                    body_sealed: e.body_sealed,
                    prev_hash: std::mem::take(&mut prev),
                    hash: String::new(),
                };
                row.hash = call_hash(&row);
                prev = row.hash.clone();
                row
            })
            .collect();
        let refs: Vec<CallRef> = rows.iter().map(|r| CallRef { node, seq: r.seq, hash: r.hash.clone() }).collect();
        match store.append_calls(rows).await {
            Ok(()) => {
                head = Some((seq, prev));
                for (tx, r) in waiting.into_iter().zip(refs) {
                    let _ = tx.send(Ok(r));
                }
            }
            Err(e) => {
                // Nothing of the batch was kept: the next batch continues from the last call
                // read again from the database.
                tracing::error!(error = %e, "appending to the call log failed");
                for tx in waiting {
                    let _ = tx.send(Err(format!("调用日志写入失败 (the call log could not be written): {e}")));
                }
            }
        }
    }
}

/// Seals the calls logged since the last seal, a batch of at most `SEAL_BATCH` at a time, for
/// every node, folding each batch into the day figures monitoring reads. Returns how many
/// batches were sealed. Off the request path: run on a timer.
pub async fn seal_due(app: &App) -> Result<usize, AppError> {
    let signer = crate::licences::platform_seal(app).await?;
    let mut sealed = 0;
    for node in app.store.call_nodes().await? {
        loop {
            let last = app.store.last_seal(node).await?;
            let (from, batch) = last.map(|s| (s.last_seq + 1, s.batch + 1)).unwrap_or((1, 1));
            let calls = app.store.calls(node, from, from + SEAL_BATCH - 1).await?;
            let Some(last_call) = calls.last() else { break };
            let hashes: Vec<String> = calls.iter().map(|c| c.hash.clone()).collect();
            let mut s = SealRow {
                node,
                batch,
                first_seq: from,
                last_seq: last_call.seq,
                root: merkle_root(&hashes, join).unwrap_or_default(),
                key_id: signer.key_id().to_owned(),
                signature: String::new(),
                sealed_at: Utc::now(),
            };
            s.signature = signer.sign(&seal_message(&s)).map_err(AppError::internal)?;
            // Another process sealed the same batch first: fine, the loop reads its seal next.
            if app.store.insert_seal(s, super::monitor::figure_rows(&calls)).await? {
                sealed += 1;
            }
            if (calls.len() as i64) < SEAL_BATCH {
                break;
            }
        }
    }
    Ok(sealed)
}

/// What a log check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogReport {
    pub calls: u64,
    pub seals: u64,
    /// Calls logged after the last seal (sealed at the next round).
    pub unsealed: u64,
    pub problems: Vec<String>,
}

impl LogReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A log segment as evidence: calls in order, the seals over them, the keys that signed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Segment {
    pub node: i32,
    pub calls: Vec<CallRow>,
    pub seals: Vec<SealRow>,
    /// key id → public key (hex), from the platform's trust list.
    pub keys: Vec<(String, String)>,
}

/// Checks a segment: its calls chained in order from the first (whose predecessor is taken as
/// given), every digest right, and every seal whose range it holds — the Merkle root of those
/// calls, signed by a key it names.
pub fn verify_segment(seg: &Segment) -> LogReport {
    let mut r = LogReport { calls: seg.calls.len() as u64, ..Default::default() };
    let node = seg.node;
    let at = |seq: i64| format!("节点 {node} 第 {seq} 次调用 (node {node} call {seq})");
    for (i, c) in seg.calls.iter().enumerate() {
        if let Some(p) = i.checked_sub(1).map(|p| &seg.calls[p]) {
            if c.seq != p.seq + 1 {
                r.problems.push(format!("{}: 前面缺少调用记录 (calls before it are missing)", at(c.seq)));
            } else if c.prev_hash != p.hash {
                r.problems.push(format!("{}: 与前一条不衔接 (does not link to the previous call)", at(c.seq)));
            }
        } else if c.seq == 1 && !c.prev_hash.is_empty() {
            r.problems.push(format!("{}: 首条调用不应有前序 (the first call has a predecessor)", at(c.seq)));
        }
        if c.node != node || call_hash(c) != c.hash {
            r.problems.push(format!("{}: 内容被改动 (its content was changed)", at(c.seq)));
        }
    }
    let first = seg.calls.first().map(|c| c.seq).unwrap_or(0);
    let last = seg.calls.last().map(|c| c.seq).unwrap_or(-1);
    for s in &seg.seals {
        let name = format!("节点 {node} 第 {} 批封存 (node {node} seal {})", s.batch, s.batch);
        let Some((_, key)) = seg.keys.iter().find(|(id, _)| *id == s.key_id) else {
            r.problems.push(format!("{name}: 签名密钥 {} 未知 (unknown key)", s.key_id));
            continue;
        };
        if !seal::verify(key, &seal_message(s), &s.signature) {
            r.problems.push(format!("{name}: 签名无效 (the signature does not verify)"));
        }
        if s.first_seq < first || s.last_seq > last {
            continue;
        }
        r.seals += 1;
        let hashes: Vec<String> =
            seg.calls.iter().filter(|c| (s.first_seq..=s.last_seq).contains(&c.seq)).map(|c| c.hash.clone()).collect();
        if hashes.len() as i64 != s.last_seq - s.first_seq + 1
            || merkle_root(&hashes, join).as_deref() != Some(s.root.as_str())
        {
            r.problems.push(format!(
                "{name}: 第 {}–{} 次调用与封存不符 (calls {}–{} differ from what was sealed)",
                s.first_seq, s.last_seq, s.first_seq, s.last_seq
            ));
        }
    }
    let sealed_to = seg.seals.iter().map(|s| s.last_seq).max().unwrap_or(0);
    r.unsealed = seg.calls.iter().filter(|c| c.seq > sealed_to).count() as u64;
    for pair in seg.seals.windows(2) {
        if pair[1].first_seq != pair[0].last_seq + 1 {
            r.problems.push(format!(
                "节点 {node} 封存批次不连续 (seal batches {} and {} leave a gap)",
                pair[0].batch, pair[1].batch
            ));
        }
    }
    r
}

/// A segment of a node's log, calls `from..=to` with the seals inside it.
pub async fn export(app: &App, node: i32, from: i64, to: i64) -> Result<Segment, AppError> {
    let calls = app.store.calls(node, from, to).await?;
    let seals = app.store.seals(node).await?.into_iter().filter(|s| s.first_seq >= from && s.last_seq <= to).collect();
    Ok(Segment { node, calls, seals, keys: crate::licences::platform_keys(app).await? })
}

/// Checks the whole log in the database, node by node, a sealed batch at a time (then the
/// unsealed tail): every chain from its first call, every seal, no gap between seals, and no
/// sealed call missing at the end.
pub async fn verify(app: &App) -> Result<LogReport, AppError> {
    let keys = crate::licences::platform_keys(app).await?;
    let mut total = LogReport::default();
    for node in app.store.call_nodes().await? {
        let seals = app.store.seals(node).await?;
        let mut seals = seals.into_iter();
        let (mut prev, mut from) = (None::<CallRow>, 1i64);
        loop {
            let (to, inside) = match seals.next() {
                Some(s) => {
                    if s.first_seq != from {
                        total.problems.push(format!(
                            "节点 {node} 第 {} 批封存: 与前一批不衔接 (seal {} does not follow the previous one)",
                            s.batch, s.batch
                        ));
                    }
                    (s.last_seq, vec![s])
                }
                None => (from + SEAL_BATCH - 1, Vec::new()),
            };
            let mut calls = app.store.calls(node, from, to).await?;
            if calls.is_empty() {
                if !inside.is_empty() {
                    total.problems.push(format!(
                        "节点 {node}: 已封存的第 {from}–{to} 次调用被删除 (sealed calls {from}–{to} were deleted)"
                    ));
                    from = to + 1;
                    continue;
                }
                break;
            }
            let n = calls.len() as u64;
            if let Some(p) = prev.take() {
                calls.insert(0, p);
            }
            let seg = Segment { node, calls, seals: inside, keys: keys.clone() };
            let r = verify_segment(&seg);
            total.calls += n;
            total.seals += r.seals;
            if seg.seals.is_empty() {
                total.unsealed += n;
            }
            total.problems.extend(r.problems);
            prev = seg.calls.last().cloned();
            from = to + 1;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(body_sealed: Option<String>) -> CallRow {
        CallRow {
            node: 3,
            seq: 42,
            at: "2026-12-07T01:02:03.456789Z".parse().expect("time"),
            day: "2026-12-07".into(),
            client_id: "sys-\"甲\"".into(),
            consumer_agency: "1111010143783071XP".into(),
            resource: "市场主体/状态".into(),
            grant_id: Some("g1".into()),
            case_number: None,
            status: 200,
            code: "ok".into(),
            upstream_ms: 7,
            total_ms: 9,
            request_sm3: "ab".into(),
            response_sm3: "cd".into(),
            body_sealed,
            prev_hash: "ef".into(),
            hash: String::new(),
        }
    }

    /// Logs already chained must verify: the digest's canonical form never changes.
    #[test]
    fn the_chain_digest_keeps_its_canonical_form() {
        assert_eq!(call_hash(&call(None)), "d7afcb697820390732f7b330c54b83ad3de8ac70146b5f0faf54b7f9d004a7b3");
        assert_eq!(
            call_hash(&call(Some("x\ny".into()))),
            "b1955d7f4b825660f3ac17513ecd384eb523e4ae69a56a4c7597e83240dae16d"
        );
    }
}
