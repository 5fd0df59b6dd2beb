//! Repository of outbound messages (text messages and e-mails) and their delivery status.

use crate::entity::outbound_message;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

pub type OutboundRow = outbound_message::Model;

/// How an attempt to send went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent {
        receipt: String,
    },
    /// Try again at `next_at`.
    Retry {
        error: String,
        next_at: DateTime<Utc>,
    },
    /// Given up: `failed`, `expired` or `skipped`, with why.
    Ended {
        status: &'static str,
        error: String,
    },
}

/// Keeps messages in a transaction that writes the change they tell of.
pub(crate) async fn enqueue(txn: &impl sea_orm::ConnectionTrait, rows: Vec<OutboundRow>) -> Result<(), StoreError> {
    if !rows.is_empty() {
        outbound_message::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

impl Store {
    pub async fn insert_outbound(&self, rows: Vec<OutboundRow>) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let db = self.write_turn().await;
        outbound_message::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
            .exec_without_returning(&*db)
            .await?;
        Ok(())
    }

    /// Takes the pending messages due at `now` for one attempt: each is held for `hold` (its
    /// `next_at` moved on, atomically, so two workers never send it twice) and returned.
    pub async fn take_due_outbound(
        &self,
        now: DateTime<Utc>,
        hold: chrono::Duration,
        limit: u64,
    ) -> Result<Vec<OutboundRow>, StoreError> {
        use outbound_message::Column as C;
        let due = outbound_message::Entity::find()
            .filter(C::Status.eq("pending"))
            .filter(C::NextAt.lte(now))
            .order_by_asc(C::NextAt)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.take_outbound(&due, now + hold).await
    }

    /// Takes messages as they were read (pending, `next_at` unchanged since) to try them, holding
    /// them until `until`, in one statement; those another sender took first are left out.
    pub async fn take_outbound(
        &self,
        rows: &[OutboundRow],
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboundRow>, StoreError> {
        use outbound_message::Column as C;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut read: Vec<DateTime<Utc>> = rows.iter().map(|r| r.next_at).collect();
        read.sort();
        read.dedup();
        let db = self.write_turn().await;
        let mut taken = outbound_message::Entity::update_many()
            .col_expr(C::NextAt, Expr::value(until))
            .filter(C::Id.is_in(rows.iter().map(|r| r.id.as_str())))
            .filter(C::Status.eq("pending"))
            .filter(C::NextAt.is_in(read))
            .exec_with_returning(&*db)
            .await?;
        taken.sort_by_key(|r| r.created_at);
        Ok(taken)
    }

    /// Records an attempt to send a message.
    pub async fn record_attempt(&self, id: &str, attempt: Attempt, at: DateTime<Utc>) -> Result<(), StoreError> {
        use outbound_message::Column as C;
        let mut update = outbound_message::Entity::update_many()
            .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
            .filter(C::Id.eq(id));
        update = match attempt {
            Attempt::Sent { receipt } => update
                .col_expr(C::Status, Expr::value("sent"))
                .col_expr(C::Receipt, Expr::value(receipt))
                .col_expr(C::SentAt, Expr::value(at)),
            Attempt::Retry { error, next_at } => {
                update.col_expr(C::LastError, Expr::value(clip(&error))).col_expr(C::NextAt, Expr::value(next_at))
            }
            Attempt::Ended { status, error } => {
                update.col_expr(C::Status, Expr::value(status)).col_expr(C::LastError, Expr::value(clip(&error)))
            }
        };
        let db = self.write_turn().await;
        update.exec(&*db).await?;
        Ok(())
    }

    /// A person's messages about `topic` still waiting for their first attempt.
    pub async fn pending_of_topic(&self, person_id: &str, topic: &str) -> Result<Vec<OutboundRow>, StoreError> {
        use outbound_message::Column as C;
        Ok(outbound_message::Entity::find()
            .filter(C::PersonId.eq(person_id))
            .filter(C::Topic.eq(topic))
            .filter(C::Status.eq("pending"))
            .filter(C::Attempts.eq(0))
            .order_by_asc(C::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Whether a later message of `r`'s topic waits on its channel (and carries what `r` says).
    pub async fn later_of_topic(&self, r: &OutboundRow) -> Result<bool, StoreError> {
        use outbound_message::Column as C;
        use sea_orm::PaginatorTrait;
        let Some(topic) = &r.topic else { return Ok(false) };
        let later = outbound_message::Entity::find()
            .filter(C::PersonId.eq(&r.person_id))
            .filter(C::Topic.eq(topic))
            .filter(C::Channel.eq(&r.channel))
            .filter(C::Status.eq("pending"))
            .filter(C::CreatedAt.gt(r.created_at))
            .count(&self.db)
            .await?;
        Ok(later > 0)
    }

    /// A person's messages, newest first (their delivery status).
    pub async fn outbound_of(&self, person_id: &str, limit: u64) -> Result<Vec<OutboundRow>, StoreError> {
        Ok(outbound_message::Entity::find()
            .filter(outbound_message::Column::PersonId.eq(person_id))
            .order_by_desc(outbound_message::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}

fn clip(error: &str) -> String {
    error.chars().take(500).collect()
}
