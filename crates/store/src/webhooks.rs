//! Repository of webhooks and the outbox of their deliveries.

use crate::entity::{outbox, webhook};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

pub type WebhookRow = webhook::Model;
pub type OutboxRow = outbox::Model;

/// Queues deliveries inside the caller's transaction.
pub(crate) async fn enqueue(txn: &impl ConnectionTrait, rows: Vec<OutboxRow>) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    outbox::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

impl Store {
    pub async fn insert_webhook(&self, w: WebhookRow) -> Result<(), StoreError> {
        webhook::Entity::insert(w.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// The live webhooks of these agencies.
    pub async fn webhooks_of(&self, agencies: &[&str]) -> Result<Vec<WebhookRow>, StoreError> {
        Ok(webhook::Entity::find()
            .filter(webhook::Column::AgencyCode.is_in(agencies.iter().copied()))
            .filter(webhook::Column::RevokedAt.is_null())
            .all(&self.db)
            .await?)
    }

    pub async fn webhook(&self, id: &str) -> Result<Option<WebhookRow>, StoreError> {
        Ok(webhook::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Takes up to `limit` deliveries due at `now` with fewer than `max_attempts` tries, oldest
    /// first: each is held for `hold` (its `next_at` moved on in the statement that takes it, so
    /// two workers never post it twice) and returned.
    pub async fn take_due_deliveries(
        &self,
        now: DateTime<Utc>,
        hold: chrono::Duration,
        max_attempts: i32,
        limit: u64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let due: Vec<String> = outbox::Entity::find()
            .filter(outbox::Column::DeliveredAt.is_null())
            .filter(outbox::Column::Attempts.lt(max_attempts))
            .filter(outbox::Column::NextAt.lte(now))
            .order_by_asc(outbox::Column::NextAt)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.write_turn().await;
        let mut taken = outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAt, Expr::value(now + hold))
            .filter(outbox::Column::Id.is_in(due))
            .filter(outbox::Column::DeliveredAt.is_null())
            .filter(outbox::Column::NextAt.lte(now))
            .exec_with_returning(&*db)
            .await?;
        taken.sort_by_key(|r| r.created_at);
        Ok(taken)
    }

    pub async fn deliveries_of(&self, webhook_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::WebhookId.eq(webhook_id))
            .order_by_asc(outbox::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Records a delivery made. Like every write, in its turn (a batch's posts finish together:
    /// on SQLite they queue for the one writer instead of contending for its lock).
    pub async fn mark_delivered(&self, id: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::DeliveredAt, Expr::value(at))
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .filter(outbox::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mark_failed(&self, id: &str, next_at: DateTime<Utc>, error: &str) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
            .col_expr(outbox::Column::NextAt, Expr::value(next_at))
            .col_expr(outbox::Column::LastError, Expr::value(error.chars().take(500).collect::<String>()))
            .filter(outbox::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}
