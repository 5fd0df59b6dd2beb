//! The audit trail (全过程留痕): every action on a case is an entry appended in the transaction
//! that makes the change. Entries of a case form a chain — each carries the SM3 digest of the
//! previous one and of itself — and every entry is also anchored in one global chain, whose head
//! row serializes the anchorers. `verify` recomputes both chains and names every entry that was
//! edited, deleted, inserted or reordered. Anchoring happens in the change's transaction on
//! SQLite and in batches right after the commit on PostgreSQL. The head is signed apart, every
//! few seconds, with the platform's key (`audit_seals`): whoever can write to the database but
//! does not hold the key cannot rewrite or cut a link a signed head covers without `verify`
//! seeing it — unless they delete the signed heads too, which the heads logged outside the
//! database show.

use crate::entity::{anchor, audit_head, audit_pending, audit_seal, case, trail_entry};
use crate::{Store, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

pub type TrailRow = trail_entry::Model;
pub type AuditSealRow = audit_seal::Model;

/// What a signed head signs: the link's number and digest.
pub fn seal_message(seq: i64, hash: &str) -> Vec<u8> {
    format!("tongban-audit-head\n{seq}\n{hash}").into_bytes()
}

/// What an entry records, before it is numbered and chained.
#[derive(Debug, Clone)]
pub struct TrailDraft {
    pub at: DateTime<Utc>,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub before_state: String,
    pub after_state: String,
    /// JSON: the action's fields and the comment.
    pub detail: String,
    pub request_id: String,
}

fn hash(prev: &str, canonical: &str) -> String {
    tongban_crypto::sm3_hex(format!("{prev}\n{canonical}").as_bytes())
}

/// The digest of an entry: over the previous digest and every field but its own digest, in a
/// fixed order (a JSON array), the time to the microsecond both backends keep.
fn entry_hash(e: &TrailRow) -> String {
    let canonical = serde_json::json!([
        e.case_number,
        e.seq,
        e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        e.actor_id,
        e.actor_role,
        e.action,
        e.before_state,
        e.after_state,
        e.detail,
        e.request_id
    ]);
    hash(&e.prev_hash, &canonical.to_string())
}

fn anchor_hash(a: &anchor::Model) -> String {
    hash(&a.prev_hash, &serde_json::json!([a.seq, a.case_number, a.case_seq, a.entry_hash]).to_string())
}

/// Appends an entry to the trail of `case_number` (`first`: the case is created in this
/// transaction) inside the caller's transaction. The caller has
/// already written the case row (so concurrent appends to one case were settled by its version
/// check). On SQLite, whose single writer serializes transactions anyway, the entry is anchored
/// here too; on PostgreSQL it waits in `audit_pending` and the caller anchors after the commit
/// (`Store::anchor_soon`), so that no transaction holds the chain's head row to its commit.
pub(crate) async fn append(
    txn: &impl ConnectionTrait,
    case_number: &str,
    d: TrailDraft,
    first: bool,
) -> Result<TrailRow, StoreError> {
    // A case's first entry (its submission, in the transaction that creates it) has no predecessor.
    let last = if first {
        None
    } else {
        trail_entry::Entity::find()
            .filter(trail_entry::Column::CaseNumber.eq(case_number))
            .order_by_desc(trail_entry::Column::Seq)
            .one(txn)
            .await?
    };
    let at = DateTime::from_timestamp_micros(d.at.timestamp_micros()).unwrap_or(d.at);
    let mut e = TrailRow {
        case_number: case_number.to_owned(),
        seq: last.as_ref().map_or(1, |l| l.seq + 1),
        at,
        actor_id: d.actor_id,
        actor_role: d.actor_role,
        action: d.action,
        before_state: d.before_state,
        after_state: d.after_state,
        detail: d.detail,
        request_id: d.request_id,
        prev_hash: last.map(|l| l.hash).unwrap_or_default(),
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    trail_entry::Entity::insert(e.clone().into_active_model()).exec_without_returning(txn).await?;
    let pending =
        audit_pending::Model { case_number: e.case_number.clone(), case_seq: e.seq, entry_hash: e.hash.clone(), at };
    if txn.get_database_backend() == DbBackend::Sqlite {
        link(txn, &[pending]).await?;
    } else {
        audit_pending::Entity::insert(pending.into_active_model()).exec_without_returning(txn).await?;
    }
    Ok(e)
}

/// A step of a case's trail that leaves the case as it is: the case row is locked first (as a
/// case action's update locks it), so that the step and a case action append one after the
/// other, and the step records the case's state as it is now. A window visit (its ticket id in
/// place of a case number) keeps its own trail the same way.
pub(crate) async fn in_case_state(
    txn: &impl ConnectionTrait,
    case_number: &str,
    mut trail: TrailDraft,
) -> Result<TrailDraft, StoreError> {
    let locked = case::Entity::update_many()
        .col_expr(case::Column::Version, Expr::col(case::Column::Version))
        .filter(case::Column::CaseNumber.eq(case_number))
        .exec(txn)
        .await?;
    let state = if locked.rows_affected == 1 {
        case::Entity::find_by_id(case_number).one(txn).await?.map(|c| c.state)
    } else {
        use crate::entity::hall_ticket;
        hall_ticket::Entity::update_many()
            .col_expr(hall_ticket::Column::Version, Expr::col(hall_ticket::Column::Version))
            .filter(hall_ticket::Column::Id.eq(case_number))
            .exec(txn)
            .await?;
        hall_ticket::Entity::find_by_id(case_number).one(txn).await?.map(|t| t.state)
    }
    .ok_or_else(|| StoreError::Corrupt(format!("a step on a missing case or visit {case_number}")))?;
    trail.before_state = state.clone();
    trail.after_state = state;
    Ok(trail)
}

impl Store {
    /// Appends a step that leaves the case as it is (e.g. who was shown a rater's phone).
    pub async fn note_on_case(&self, case_number: &str, trail: TrailDraft) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = in_case_state(&txn, case_number, trail).await?;
        append(&txn, case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(())
    }
}

/// Compares the state of each row of `E` (a case, a data request, an inquiry) with the last
/// entry of its trail, a page at a time, taking the trails it finds out of `last_state`.
async fn states_agree<E: EntityTrait>(
    db: &sea_orm::DatabaseConnection,
    rows: sea_orm::Select<E>,
    key: E::Column,
    state: E::Column,
    (zh, en): (&str, &str),
    last_state: &mut HashMap<String, String>,
    r: &mut AuditReport,
) -> Result<(), StoreError> {
    let mut pages =
        rows.select_only().columns([key, state]).order_by_asc(key).into_tuple::<(String, String)>().paginate(db, PAGE);
    while let Some(page) = pages.fetch_and_next().await? {
        for (number, state) in page {
            match last_state.remove(&number).as_ref() {
                Some(s) if *s == state => {}
                Some(s) => r
                    .problems
                    .push(format!("{zh} {number}: 状态 {state} 与留痕的 {s} 不符 ({en} state differs from its trail)")),
                None => r.problems.push(format!("{zh} {number}: 没有留痕 ({en} has no trail)")),
            }
        }
    }
    Ok(())
}

/// Checks a signed head against the link it names (`None`: the chain has no such link) and the
/// platform's keys.
fn check_seal(s: &AuditSealRow, link: Option<&String>, keys: &[(String, String)], r: &mut AuditReport) {
    let at = format!("总链第 {} 环的签名链头 (the signed head at link {})", s.seq, s.seq);
    let signed = match keys.iter().find(|(id, _)| *id == s.key_id) {
        None => Err(format!("{at}: 签名密钥 {} 未知 (unknown key)", s.key_id)),
        Some((_, key)) if !tongban_crypto::seal::verify(key, &seal_message(s.seq, &s.hash), &s.signature) => {
            Err(format!("{at}: 签名无效 (the signature does not verify)"))
        }
        Some(_) => Ok(()),
    };
    let linked = match link {
        Some(hash) if *hash == s.hash => Ok(()),
        Some(_) => Err(format!("{at}: 总链在签名后被改写 (the chain was rewritten after it was signed)")),
        None => Err(format!("{at}: 签名所及的总链已被截短 (signed links were deleted)")),
    };
    match (signed, linked) {
        (Ok(()), Ok(())) => r.signed_head = Some(s.clone()),
        (signed, linked) => r.problems.extend(signed.err().into_iter().chain(linked.err())),
    }
}

/// The signed heads in order, a page at a time (after the last one read) as the walk over the
/// links reaches them.
struct Seals<'a> {
    db: &'a sea_orm::DatabaseConnection,
    queue: std::collections::VecDeque<AuditSealRow>,
    after: i64,
    done: bool,
}

impl Seals<'_> {
    /// The next signed head, left in place.
    async fn peek(&mut self) -> Result<Option<AuditSealRow>, StoreError> {
        if self.queue.is_empty() && !self.done {
            let page = audit_seal::Entity::find()
                .filter(audit_seal::Column::Seq.gt(self.after))
                .order_by_asc(audit_seal::Column::Seq)
                .limit(PAGE)
                .all(self.db)
                .await?;
            self.done = (page.len() as u64) < PAGE;
            self.after = page.last().map_or(self.after, |s| s.seq);
            self.queue.extend(page);
        }
        Ok(self.queue.front().cloned())
    }
}

/// The most entries one anchoring transaction takes.
const ANCHOR_BATCH: u64 = 500;

/// Locks the global chain's head (anchorers on any number of nodes take turns on this row) and
/// returns its sequence number and digest.
async fn lock_head(txn: &impl ConnectionTrait) -> Result<(i64, String), StoreError> {
    let lock = Statement::from_string(
        txn.get_database_backend(),
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash",
    );
    let head = txn.query_one_raw(lock).await?.ok_or_else(|| StoreError::Corrupt("audit head row missing".into()))?;
    Ok((head.try_get::<i64>("", "seq")?, head.try_get::<String>("", "hash")?))
}

/// Appends links anchoring `entries`, in order, to the chain whose locked head is `head`, and
/// moves the head.
async fn extend(
    txn: &impl ConnectionTrait,
    (mut seq, mut prev): (i64, String),
    entries: &[audit_pending::Model],
) -> Result<(), StoreError> {
    let mut links = Vec::with_capacity(entries.len());
    for p in entries {
        seq += 1;
        let mut a = anchor::Model {
            seq,
            case_number: p.case_number.clone(),
            case_seq: p.case_seq,
            entry_hash: p.entry_hash.clone(),
            prev_hash: prev,
            hash: String::new(),
        };
        a.hash = anchor_hash(&a);
        prev = a.hash.clone();
        links.push(a.into_active_model());
    }
    anchor::Entity::insert_many(links).exec_without_returning(txn).await?;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::value(seq))
        .col_expr(audit_head::Column::Hash, Expr::value(prev))
        .filter(audit_head::Column::Id.eq(1))
        .exec(txn)
        .await?;
    Ok(())
}

/// Anchors `entries` now, in the caller's transaction.
async fn link(txn: &impl ConnectionTrait, entries: &[audit_pending::Model]) -> Result<(), StoreError> {
    let head = lock_head(txn).await?;
    extend(txn, head, entries).await
}

/// Anchors up to `ANCHOR_BATCH` pending entries, oldest first; returns how many.
async fn anchor_batch(txn: &impl ConnectionTrait) -> Result<u64, StoreError> {
    // The head first: a second anchorer waits here and then finds these entries gone.
    let head = lock_head(txn).await?;
    let pending = audit_pending::Entity::find()
        .order_by_asc(audit_pending::Column::At)
        .order_by_asc(audit_pending::Column::CaseNumber)
        .order_by_asc(audit_pending::Column::CaseSeq)
        .limit(ANCHOR_BATCH)
        .all(txn)
        .await?;
    if pending.is_empty() {
        return Ok(0);
    }
    extend(txn, head, &pending).await?;
    let done = pending.iter().fold(Condition::any(), |c, p| {
        c.add(
            Condition::all()
                .add(audit_pending::Column::CaseNumber.eq(&p.case_number))
                .add(audit_pending::Column::CaseSeq.eq(p.case_seq)),
        )
    });
    audit_pending::Entity::delete_many().filter(done).exec(txn).await?;
    Ok(pending.len() as u64)
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: u64,
    pub cases: u64,
    pub anchors: u64,
    /// Entries waiting to be anchored (each also a problem).
    pub pending: u64,
    /// The newest signed head that holds (its signature, its link): what to compare with the
    /// heads the log recorded. The links after it are signed at the sealer's next round.
    pub signed_head: Option<AuditSealRow>,
    /// The chain's last link.
    pub last_link: i64,
    /// Each problem names the case and entry (or anchor) concerned.
    pub problems: Vec<String>,
}

const PAGE: u64 = 10_000;

impl Store {
    /// The global chain's head: its last link's number and digest ((0, "") while empty).
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        let head = audit_head::Entity::find_by_id(1).one(&self.db).await?;
        head.map(|h| (h.seq, h.hash)).ok_or_else(|| StoreError::Corrupt("audit head row missing".into()))
    }

    /// Whether link `seq` has a signed head.
    pub async fn audit_seal_at(&self, seq: i64) -> Result<bool, StoreError> {
        Ok(audit_seal::Entity::find_by_id(seq).one(&self.db).await?.is_some())
    }

    /// Keeps a signed head; false when that link is signed already (by another node's sealer).
    pub async fn insert_audit_seal(&self, s: AuditSealRow) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let n = audit_seal::Entity::insert(s.into_active_model())
            .on_conflict(sea_orm::sea_query::OnConflict::column(audit_seal::Column::Seq).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(n == 1)
    }

    /// Anchors every pending entry, batch by batch; returns how many.
    pub async fn anchor_pending(&self) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let (_turn, txn) = self.write().await?;
            let n = anchor_batch(&txn).await?;
            txn.commit().await?;
            total += n;
            if n < ANCHOR_BATCH {
                return Ok(total);
            }
        }
    }

    /// After an audited commit on PostgreSQL: anchors what is pending, unless this process is
    /// anchoring already — then the running anchorer is asked to go round once more, so no
    /// committed entry is left behind and no request waits for another's batch.
    /// A failure is logged, not returned: the change is committed, and what stays pending is
    /// anchored by the next round or by `tongban audit verify --anchor-pending`.
    pub(crate) async fn anchor_soon(&self) {
        if self.backend() == crate::Backend::Sqlite {
            return;
        }
        self.anchoring.wanted.store(true, Ordering::SeqCst);
        loop {
            let Ok(running) = self.anchoring.running.try_lock() else { return };
            while self.anchoring.wanted.swap(false, Ordering::SeqCst) {
                if let Err(e) = self.anchor_pending().await {
                    tracing::warn!(error = %e, "anchoring the audit trail failed; it is retried with the next change");
                    return;
                }
            }
            drop(running);
            if !self.anchoring.wanted.load(Ordering::SeqCst) {
                return;
            }
        }
    }

    /// A case's trail, oldest first.
    pub async fn trail(&self, case_number: &str) -> Result<Vec<TrailRow>, StoreError> {
        Ok(trail_entry::Entity::find()
            .filter(trail_entry::Column::CaseNumber.eq(case_number))
            .order_by_asc(trail_entry::Column::Seq)
            .all(&self.db)
            .await?)
    }

    /// Recomputes every chain: each case's entries (numbered from 1, each linked to the one
    /// before, each digest right), the global chain (linked, each anchor naming an existing entry
    /// with its digest, every entry anchored once, ending at the head), every signed head (signed
    /// by one of `keys`, key id → public key, naming a link that is there with that digest), and
    /// each case's state against its last entry. Entries waiting in `audit_pending` are reported,
    /// never anchored here: a row slipped into the trail with a pending mark would otherwise be
    /// made part of the chain by its own check (`anchor_pending` does that, when an operator
    /// decides).
    pub async fn verify_audit(&self, keys: &[(String, String)]) -> Result<AuditReport, StoreError> {
        let mut r = AuditReport::default();
        // (case, seq) → digest, and each case's last state.
        let mut digests: HashMap<(String, i64), String> = HashMap::new();
        let mut last_state: HashMap<String, String> = HashMap::new();
        let mut pages = trail_entry::Entity::find()
            .order_by_asc(trail_entry::Column::CaseNumber)
            .order_by_asc(trail_entry::Column::Seq)
            .paginate(&self.db, PAGE);
        let (mut case, mut prev_seq, mut prev_hash) = (String::new(), 0i64, String::new());
        while let Some(page) = pages.fetch_and_next().await? {
            for e in page {
                r.entries += 1;
                if e.case_number != case {
                    r.cases += 1;
                    (case, prev_seq, prev_hash) = (e.case_number.clone(), 0, String::new());
                }
                let at = format!("办件 {} 第 {} 条 (case {} entry {})", e.case_number, e.seq, e.case_number, e.seq);
                if e.seq != prev_seq + 1 {
                    r.problems.push(format!("{at}: 前面缺少记录 (entries before it are missing)"));
                }
                if e.prev_hash != prev_hash {
                    r.problems.push(format!("{at}: 与前一条记录不衔接 (does not link to the previous entry)"));
                }
                if entry_hash(&e) != e.hash {
                    r.problems.push(format!("{at}: 内容被改动 (its content was changed)"));
                }
                (prev_seq, prev_hash) = (e.seq, e.hash.clone());
                last_state.insert(e.case_number.clone(), e.after_state.clone());
                digests.insert((e.case_number, e.seq), e.hash);
            }
        }

        let mut pages = anchor::Entity::find().order_by_asc(anchor::Column::Seq).paginate(&self.db, PAGE);
        // The signed heads, in order beside the links they name.
        let mut seals = Seals { db: &self.db, queue: Default::default(), after: 0, done: false };
        let (mut prev_seq, mut prev_hash) = (0i64, String::new());
        while let Some(page) = pages.fetch_and_next().await? {
            for a in page {
                while let Some(s) = seals.peek().await?.filter(|s| s.seq <= a.seq) {
                    check_seal(&s, (s.seq == a.seq).then_some(&a.hash), keys, &mut r);
                    seals.queue.pop_front();
                }
                r.anchors += 1;
                let at = format!("总链第 {} 环 (global link {})", a.seq, a.seq);
                if a.seq != prev_seq + 1 || a.prev_hash != prev_hash {
                    r.problems.push(format!("{at}: 与前一环不衔接 (does not link to the previous link)"));
                }
                if anchor_hash(&a) != a.hash {
                    r.problems.push(format!("{at}: 内容被改动 (its content was changed)"));
                }
                match digests.remove(&(a.case_number.clone(), a.case_seq)) {
                    Some(d) if d == a.entry_hash => {}
                    Some(_) => r.problems.push(format!(
                        "{at}: 办件 {} 第 {} 条记录与存证不符 (case {} entry {} differs from what was anchored)",
                        a.case_number, a.case_seq, a.case_number, a.case_seq
                    )),
                    None => r.problems.push(format!(
                        "{at}: 办件 {} 第 {} 条记录已被删除 (case {} entry {} was deleted)",
                        a.case_number, a.case_seq, a.case_number, a.case_seq
                    )),
                }
                (prev_seq, prev_hash) = (a.seq, a.hash);
            }
        }
        let pending: std::collections::HashSet<(String, i64)> = audit_pending::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.case_number, p.case_seq))
            .collect();
        let mut unanchored: Vec<_> = digests.into_keys().collect();
        unanchored.sort();
        for (c, s) in unanchored {
            if pending.contains(&(c.clone(), s)) {
                r.pending += 1;
                r.problems.push(format!(
                    "办件 {c} 第 {s} 条: 等待在总链存证 (case {c} entry {s} is waiting to be anchored; \
                     `tongban audit verify --anchor-pending` anchors what waits)"
                ));
            } else {
                r.problems.push(format!("办件 {c} 第 {s} 条: 未在总链存证 (case {c} entry {s} was never anchored)"));
            }
        }
        let head = audit_head::Entity::find_by_id(1).one(&self.db).await?;
        if head.is_none_or(|h| h.seq != prev_seq || h.hash != prev_hash) {
            r.problems.push("总链末端与链头不符：末尾的记录被删除 (the chain's end does not match its head)".into());
        }
        r.last_link = prev_seq;
        // Signed heads past the chain's end (or of a chain emptied): links that were signed are gone.
        while let Some(s) = seals.peek().await? {
            check_seal(&s, None, keys, &mut r);
            seals.queue.pop_front();
        }

        // A data request's and an inquiry's trails are kept the same way, keyed by their numbers.
        states_agree::<case::Entity>(
            &self.db,
            case::Entity::find(),
            case::Column::CaseNumber,
            case::Column::State,
            ("办件", "case"),
            &mut last_state,
            &mut r,
        )
        .await?;
        use crate::entity::{data_request, inquiry};
        let request = ("共享申请", "request");
        states_agree::<data_request::Entity>(
            &self.db,
            data_request::Entity::find(),
            data_request::Column::Id,
            data_request::Column::State,
            request,
            &mut last_state,
            &mut r,
        )
        .await?;
        let what = ("咨询投诉", "inquiry");
        states_agree::<inquiry::Entity>(
            &self.db,
            inquiry::Entity::find(),
            inquiry::Column::Number,
            inquiry::Column::State,
            what,
            &mut last_state,
            &mut r,
        )
        .await?;
        // A rated visit's trail holds its rating (一次一评), in the finished ticket's state.
        use crate::entity::hall_ticket;
        states_agree::<hall_ticket::Entity>(
            &self.db,
            hall_ticket::Entity::find().filter(hall_ticket::Column::Rated.eq(true)),
            hall_ticket::Column::Id,
            hall_ticket::Column::State,
            ("窗口办理", "visit"),
            &mut last_state,
            &mut r,
        )
        .await?;
        // A licence's trail holds its events; those issued before licences had trails have none.
        use crate::entity::licence;
        let trailed = sea_orm::sea_query::Query::select()
            .column(trail_entry::Column::CaseNumber)
            .from(trail_entry::Entity)
            .and_where(trail_entry::Column::ActorRole.eq("licence"))
            .to_owned();
        states_agree::<licence::Entity>(
            &self.db,
            licence::Entity::find().filter(licence::Column::Id.in_subquery(trailed)),
            licence::Column::Id,
            licence::Column::Status,
            ("证照", "licence"),
            &mut last_state,
            &mut r,
        )
        .await?;
        let mut orphans: Vec<String> = last_state.into_keys().collect();
        orphans.sort();
        for number in orphans {
            r.problems.push(format!("办件 {number}: 有留痕而办件记录已被删除 (the case row was deleted)"));
        }
        Ok(r)
    }
}
