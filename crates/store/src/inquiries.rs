//! Repository of consultations and complaints (咨询投诉举报). Each change is written with its
//! audit trail entry (keyed by the item's number) and its messages in one transaction, on the
//! version read.

use crate::audit::{self, TrailDraft};
use crate::entity::{inquiry, message};
use crate::{Store, StoreError};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

pub type InquiryRow = inquiry::Model;

impl Store {
    /// Writes a new item with its first trail entry.
    pub async fn insert_inquiry(&self, row: InquiryRow, trail: TrailDraft) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        let number = row.number.clone();
        inquiry::Entity::insert(row.into_active_model()).exec_without_returning(&txn).await?;
        audit::append(&txn, &number, trail, true).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(())
    }

    /// Writes a step of an item still at `expected_version`, with its trail entry and messages;
    /// false when someone else changed it first.
    pub async fn update_inquiry(
        &self,
        row: InquiryRow,
        expected_version: i64,
        trail: TrailDraft,
        messages: Vec<message::Model>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let number = row.number.clone();
        let done = inquiry::Entity::update_many()
            .set(row.into_active_model().reset_all())
            .filter(inquiry::Column::Number.eq(&number))
            .filter(inquiry::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        audit::append(&txn, &number, trail, false).await?;
        for m in messages {
            message::Entity::insert(m.into_active_model()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    pub async fn inquiry(&self, number: &str) -> Result<Option<InquiryRow>, StoreError> {
        Ok(inquiry::Entity::find_by_id(number).one(&self.db).await?)
    }

    /// A person's items, the newest first.
    pub async fn inquiries_of_person(&self, person_id: &str, limit: u64) -> Result<Vec<InquiryRow>, StoreError> {
        Ok(inquiry::Entity::find()
            .filter(inquiry::Column::PersonId.eq(person_id))
            .order_by_desc(inquiry::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The items routed to an agency (blank: the triage) in a division subtree, the oldest
    /// first; only the open ones when `open_only`.
    pub async fn inquiries_of(
        &self,
        agency: &str,
        division_prefix: &str,
        open_only: bool,
        limit: u64,
    ) -> Result<Vec<InquiryRow>, StoreError> {
        let mut q = inquiry::Entity::find()
            .filter(inquiry::Column::AgencyCode.eq(agency))
            .filter(inquiry::Column::DivisionCode.starts_with(division_prefix));
        if open_only {
            q = q.filter(inquiry::Column::State.eq("open"));
        }
        Ok(q.order_by_asc(inquiry::Column::OpenedOn)
            .order_by_asc(inquiry::Column::Number)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Open items not yet escalated, after `after` (by number), a page at a time.
    pub async fn open_inquiries(&self, after: &str, limit: u64) -> Result<Vec<InquiryRow>, StoreError> {
        Ok(inquiry::Entity::find()
            .filter(inquiry::Column::State.eq("open"))
            .filter(inquiry::Column::Escalated.eq(false))
            .filter(inquiry::Column::Number.gt(after))
            .order_by_asc(inquiry::Column::Number)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The answered inquiries made public on an offering's guide (知识库), the newest first.
    pub async fn public_answers(&self, offering_code: &str, limit: u64) -> Result<Vec<InquiryRow>, StoreError> {
        Ok(inquiry::Entity::find()
            .filter(inquiry::Column::OfferingCode.eq(offering_code))
            .filter(inquiry::Column::Public.eq(true))
            .filter(inquiry::Column::State.ne("open"))
            .order_by_desc(inquiry::Column::AnsweredAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
