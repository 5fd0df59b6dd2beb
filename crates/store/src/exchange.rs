//! Data sharing and exchange: the data resource catalog with its versions, requests and grants
//! (each change with its trail entry, in the audit trail keyed by the request's number), and the
//! gateway's call log — appended in batches, one transaction each, chained per node — with its
//! sealed batches.

use crate::audit::{self, TrailDraft};
use crate::entity::{
    case_shared, data_request, data_resource, data_resource_version, exchange_call, exchange_figure, exchange_seal,
    shared_decline,
};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use tongban_domain::exchange::{DayFigures, either_grant};

pub type DataResourceRow = data_resource::Model;
pub type DataResourceVersionRow = data_resource_version::Model;
pub type DataRequestRow = data_request::Model;
pub type FigureRow = exchange_figure::Model;
pub type CallRow = exchange_call::Model;
pub type SealRow = exchange_seal::Model;
pub type CaseSharedRow = case_shared::Model;

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Requests made by, or answered by, these agencies (either side); all when `None`.
    pub agency: Option<String>,
    pub states: Vec<String>,
    pub resource: Option<String>,
}

/// Calls appended by one statement on PostgreSQL: 18 columns each, within its bind-parameter
/// limit (65,535).
pub const APPEND_CHUNK: usize = 1_000;

/// A call as the log's SQLite connection inserts it: the columns of `exchange_log`, the time
/// written as sqlx writes it for the other connections (RFC 3339, `+00:00`).
const INSERT_CALL: &str = "INSERT INTO exchange_log (node, seq, at, day, client_id, consumer_agency, resource, \
     grant_id, case_number, status, code, upstream_ms, total_ms, request_sm3, response_sm3, body_sealed, prev_hash, \
     hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";

/// Inserts the calls in one `IMMEDIATE` transaction: all or none (dropped uncommitted, it rolls
/// back).
fn append_on_sqlite(c: &mut rusqlite::Connection, calls: &[CallRow]) -> rusqlite::Result<()> {
    let t = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut insert = t.prepare_cached(INSERT_CALL)?;
        for r in calls {
            insert.execute(rusqlite::params![
                r.node,
                r.seq,
                r.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                r.day,
                r.client_id,
                r.consumer_agency,
                r.resource,
                r.grant_id,
                r.case_number,
                r.status,
                r.code,
                r.upstream_ms,
                r.total_ms,
                r.request_sm3,
                r.response_sm3,
                r.body_sealed,
                r.prev_hash,
                r.hash,
            ])?;
        }
    }
    t.commit()
}

impl Store {
    /// Saves a version of a resource's entry: a new resource (`expected_latest` none) or the next
    /// version of one still at `expected_latest`. False when the identifier is taken or another
    /// save came first.
    pub async fn save_data_resource(
        &self,
        resource: DataResourceRow,
        version: DataResourceVersionRow,
        expected_latest: Option<i32>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let written = match expected_latest {
            None => {
                let r = data_resource::Entity::insert(resource.into_active_model())
                    .on_conflict(OnConflict::column(data_resource::Column::Identifier).do_nothing().to_owned())
                    .exec_without_returning(&txn)
                    .await?;
                r == 1
            }
            Some(latest) => {
                let r = data_resource::Entity::update_many()
                    .col_expr(data_resource::Column::LatestVersion, Expr::value(version.version))
                    .col_expr(data_resource::Column::Name, Expr::value(resource.name))
                    .col_expr(data_resource::Column::Sharing, Expr::value(resource.sharing))
                    .col_expr(data_resource::Column::UpdatedAt, Expr::value(resource.updated_at))
                    .filter(data_resource::Column::Identifier.eq(&resource.identifier))
                    .filter(data_resource::Column::LatestVersion.eq(latest))
                    .exec(&txn)
                    .await?;
                r.rows_affected == 1
            }
        };
        if !written {
            txn.rollback().await?;
            return Ok(false);
        }
        data_resource_version::Entity::insert(version.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Publishes a saved version: from now on requests and calls use it.
    pub async fn publish_data_resource(
        &self,
        identifier: &str,
        version: i32,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let r = data_resource_version::Entity::update_many()
            .col_expr(data_resource_version::Column::PublishedAt, Expr::value(at))
            .filter(data_resource_version::Column::Identifier.eq(identifier))
            .filter(data_resource_version::Column::Version.eq(version))
            .exec(&txn)
            .await?;
        if r.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        data_resource::Entity::update_many()
            .col_expr(data_resource::Column::PublishedVersion, Expr::value(version))
            .col_expr(data_resource::Column::UpdatedAt, Expr::value(at))
            .filter(data_resource::Column::Identifier.eq(identifier))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }

    pub async fn data_resource(&self, identifier: &str) -> Result<Option<DataResourceRow>, StoreError> {
        Ok(data_resource::Entity::find_by_id(identifier).one(&self.db).await?)
    }

    pub async fn data_resource_version(
        &self,
        identifier: &str,
        version: i32,
    ) -> Result<Option<DataResourceVersionRow>, StoreError> {
        Ok(data_resource_version::Entity::find_by_id((identifier.to_owned(), version)).one(&self.db).await?)
    }

    /// A resource's versions, newest first.
    pub async fn data_resource_versions(&self, identifier: &str) -> Result<Vec<DataResourceVersionRow>, StoreError> {
        Ok(data_resource_version::Entity::find()
            .filter(data_resource_version::Column::Identifier.eq(identifier))
            .order_by_desc(data_resource_version::Column::Version)
            .all(&self.db)
            .await?)
    }

    /// Resources by identifier: published ones, or (with `agency`) also that agency's unpublished.
    pub async fn data_resources(&self, agency: Option<&str>) -> Result<Vec<DataResourceRow>, StoreError> {
        let mut visible = Condition::any().add(data_resource::Column::PublishedVersion.is_not_null());
        if let Some(a) = agency {
            visible = visible.add(data_resource::Column::AgencyCode.eq(a));
        }
        Ok(data_resource::Entity::find()
            .filter(visible)
            .order_by_asc(data_resource::Column::Identifier)
            .all(&self.db)
            .await?)
    }

    /// Writes a new request with its first trail entry.
    pub async fn insert_data_request(&self, r: DataRequestRow, trail: TrailDraft) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        let id = r.id.clone();
        data_request::Entity::insert(r.into_active_model()).exec_without_returning(&txn).await?;
        audit::append(&txn, &id, trail, true).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(())
    }

    /// Writes a change to a request still at `expected_version`, with its trail entry; false
    /// when someone else changed it first.
    pub async fn update_data_request(
        &self,
        r: DataRequestRow,
        expected_version: i64,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let id = r.id.clone();
        let done = data_request::Entity::update_many()
            .set(r.into_active_model().reset_all())
            .filter(data_request::Column::Id.eq(&id))
            .filter(data_request::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        audit::append(&txn, &id, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// Every request whose stage is on a clock (`states`), oldest first: what supervision checks.
    pub async fn data_requests_in(&self, states: &[&str]) -> Result<Vec<DataRequestRow>, StoreError> {
        Ok(data_request::Entity::find()
            .filter(data_request::Column::State.is_in(states.iter().copied()))
            .order_by_asc(data_request::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Notes in a request's trail that it went overdue and tells the data authority, all or
    /// none, moving its version on; false when it changed since it was read at
    /// `expected_version`.
    pub async fn escalate_data_request(
        &self,
        id: &str,
        expected_version: i64,
        trail: TrailDraft,
        messages: Vec<crate::cases::MessageRow>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        // The version moves on, so that two sweeps (two nodes) never both escalate one stage.
        let done = data_request::Entity::update_many()
            .col_expr(data_request::Column::Version, Expr::value(expected_version + 1))
            .filter(data_request::Column::Id.eq(id))
            .filter(data_request::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        audit::append(&txn, id, trail, false).await?;
        for m in messages {
            crate::entity::message::Entity::insert(m.into_active_model()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    pub async fn data_request(&self, id: &str) -> Result<Option<DataRequestRow>, StoreError> {
        Ok(data_request::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// The live grants of a resource to an agency on `today` (not expired, not revoked).
    pub async fn live_grants_of(
        &self,
        resource: &str,
        consumer_agency: &str,
        today: chrono::NaiveDate,
    ) -> Result<Vec<DataRequestRow>, StoreError> {
        Ok(data_request::Entity::find()
            .filter(data_request::Column::Resource.eq(resource))
            .filter(data_request::Column::ConsumerAgency.eq(consumer_agency))
            .filter(data_request::Column::State.eq("granted"))
            .filter(data_request::Column::ExpiresOn.gte(today))
            .order_by_asc(data_request::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Requests, newest first (at most 500).
    pub async fn data_requests(&self, f: &RequestFilter) -> Result<Vec<DataRequestRow>, StoreError> {
        let mut q = data_request::Entity::find();
        if let Some(a) = &f.agency {
            q = q.filter(
                Condition::any()
                    .add(data_request::Column::ConsumerAgency.eq(a))
                    .add(data_request::Column::ProviderAgency.eq(a)),
            );
        }
        if !f.states.is_empty() {
            q = q.filter(data_request::Column::State.is_in(f.states.clone()));
        }
        if let Some(r) = &f.resource {
            q = q.filter(data_request::Column::Resource.eq(r));
        }
        Ok(q.order_by_desc(data_request::Column::CreatedAt).limit(500).all(&self.db).await?)
    }

    /// Appends calls to the log, all or none (the caller numbered and chained them). On SQLite
    /// through the log's own connection, in this thread, under the writer turn: one transaction,
    /// one cached statement run per call.
    pub async fn append_calls(&self, calls: Vec<CallRow>) -> Result<(), StoreError> {
        if calls.is_empty() {
            return Ok(());
        }
        if let Some(log) = &self.call_log {
            let _turn = self.write_turn().await;
            let mut c = log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            return Ok(append_on_sqlite(&mut c, &calls)?);
        }
        let rows = |chunk: Vec<CallRow>| {
            exchange_call::Entity::insert_many(chunk.into_iter().map(IntoActiveModel::into_active_model))
        };
        if calls.len() <= APPEND_CHUNK {
            // One statement is atomic by itself: one round trip to the database, not three.
            rows(calls).exec_without_returning(&self.db).await?;
            return Ok(());
        }
        let (_turn, txn) = self.write().await?;
        for chunk in calls.chunks(APPEND_CHUNK) {
            rows(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// The node's last logged call: where its chain continues.
    pub async fn last_call(&self, node: i32) -> Result<Option<CallRow>, StoreError> {
        Ok(exchange_call::Entity::find()
            .filter(exchange_call::Column::Node.eq(node))
            .order_by_desc(exchange_call::Column::Seq)
            .one(&self.db)
            .await?)
    }

    /// The node's calls numbered `from..=to`, in order.
    pub async fn calls(&self, node: i32, from: i64, to: i64) -> Result<Vec<CallRow>, StoreError> {
        Ok(exchange_call::Entity::find()
            .filter(exchange_call::Column::Node.eq(node))
            .filter(exchange_call::Column::Seq.between(from, to))
            .order_by_asc(exchange_call::Column::Seq)
            .all(&self.db)
            .await?)
    }

    /// The nodes that have logged calls.
    pub async fn call_nodes(&self) -> Result<Vec<i32>, StoreError> {
        Ok(exchange_call::Entity::find()
            .select_only()
            .column(exchange_call::Column::Node)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// How many calls a grant made on a (China) day.
    pub async fn grant_calls_on(&self, grant_id: &str, day: &str) -> Result<u64, StoreError> {
        Ok(exchange_call::Entity::find()
            .filter(exchange_call::Column::GrantId.eq(grant_id))
            .filter(exchange_call::Column::Day.eq(day))
            .filter(exchange_call::Column::Status.lt(400))
            .count(&self.db)
            .await?)
    }

    /// The latest calls of a day (the monitoring page lists them), at most `limit`.
    pub async fn calls_on(&self, day: &str, limit: u64) -> Result<Vec<CallRow>, StoreError> {
        Ok(exchange_call::Entity::find()
            .filter(exchange_call::Column::Day.eq(day))
            .order_by_desc(exchange_call::Column::At)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Saves a batch's seal and folds the batch's calls into the day figures, in one transaction;
    /// false, and nothing done, when another process sealed the batch first.
    pub async fn insert_seal(&self, s: SealRow, figures: Vec<FigureRow>) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let n = exchange_seal::Entity::insert(s.into_active_model())
            .on_conflict(
                OnConflict::columns([exchange_seal::Column::Node, exchange_seal::Column::Batch])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        if n != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        for f in figures {
            let key = (f.day.clone(), f.resource.clone(), f.consumer_agency.clone());
            // A new row, unless one is there (another node's sealer may have just made it).
            let made = exchange_figure::Entity::insert(f.clone().into_active_model())
                .on_conflict(
                    OnConflict::columns([
                        exchange_figure::Column::Day,
                        exchange_figure::Column::Resource,
                        exchange_figure::Column::ConsumerAgency,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            if made == 1 {
                continue;
            }
            let mut q = exchange_figure::Entity::find_by_id(key);
            if self.backend() == crate::Backend::Postgres {
                q = q.lock_exclusive();
            }
            let Some(old) = q.one(&txn).await? else { continue };
            let parse = |t: &str| serde_json::from_str::<DayFigures>(t).unwrap_or_default();
            let mut sum = parse(&old.figures);
            sum.merge(&parse(&f.figures));
            let figures = serde_json::to_string(&sum).unwrap_or_default();
            let row = exchange_figure::ActiveModel {
                grant_id: sea_orm::ActiveValue::Set(either_grant(old.grant_id.clone(), f.grant_id)),
                figures: sea_orm::ActiveValue::Set(figures),
                ..old.into_active_model()
            };
            row.update(&txn).await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// The figures of the days from `since` on.
    pub async fn figures_since(&self, since: &str) -> Result<Vec<FigureRow>, StoreError> {
        Ok(exchange_figure::Entity::find().filter(exchange_figure::Column::Day.gte(since)).all(&self.db).await?)
    }

    /// The node's seals in order.
    pub async fn seals(&self, node: i32) -> Result<Vec<SealRow>, StoreError> {
        Ok(exchange_seal::Entity::find()
            .filter(exchange_seal::Column::Node.eq(node))
            .order_by_asc(exchange_seal::Column::Batch)
            .all(&self.db)
            .await?)
    }

    pub async fn last_seal(&self, node: i32) -> Result<Option<SealRow>, StoreError> {
        Ok(exchange_seal::Entity::find()
            .filter(exchange_seal::Column::Node.eq(node))
            .order_by_desc(exchange_seal::Column::Batch)
            .one(&self.db)
            .await?)
    }

    /// Records the applicant's choice for a shared material: upload it (`declined`) or have it
    /// fetched.
    pub async fn set_shared_declined(
        &self,
        application_id: &str,
        material: &str,
        declined: bool,
    ) -> Result<(), StoreError> {
        let db = self.write_turn().await;
        let key = (application_id.to_owned(), material.to_owned());
        if declined {
            let row = shared_decline::Model { application_id: key.0, material: key.1 };
            shared_decline::Entity::insert(row.into_active_model())
                .on_conflict(
                    OnConflict::columns([shared_decline::Column::ApplicationId, shared_decline::Column::Material])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&*db)
                .await?;
        } else {
            shared_decline::Entity::delete_by_id(key).exec(&*db).await?;
        }
        Ok(())
    }

    /// The shared materials of an application its applicant chose to upload.
    pub async fn shared_declined(&self, application_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(shared_decline::Entity::find()
            .filter(shared_decline::Column::ApplicationId.eq(application_id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| d.material)
            .collect())
    }

    /// Keeps what a case fetched for a material (replacing an earlier attempt).
    pub async fn put_case_shared(&self, row: CaseSharedRow) -> Result<(), StoreError> {
        let db = self.write_turn().await;
        case_shared::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::columns([case_shared::Column::CaseNumber, case_shared::Column::Material])
                    .update_columns([
                        case_shared::Column::Status,
                        case_shared::Column::DataSealed,
                        case_shared::Column::Error,
                        case_shared::Column::CallNode,
                        case_shared::Column::CallSeq,
                        case_shared::Column::CallHash,
                        case_shared::Column::FetchedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&*db)
            .await?;
        Ok(())
    }

    pub async fn case_shared(&self, case_number: &str) -> Result<Vec<CaseSharedRow>, StoreError> {
        Ok(case_shared::Entity::find()
            .filter(case_shared::Column::CaseNumber.eq(case_number))
            .order_by_asc(case_shared::Column::Material)
            .all(&self.db)
            .await?)
    }

    /// Materials the applicants did not submit because a case fetched them by sharing.
    pub async fn shared_fetched_count(&self, offering_code: Option<&str>) -> Result<u64, StoreError> {
        let mut q = case_shared::Entity::find().filter(case_shared::Column::Status.eq("fetched"));
        if let Some(code) = offering_code {
            q = q.filter(case_shared::Column::OfferingCode.eq(code));
        }
        Ok(q.count(&self.db).await?)
    }
}
