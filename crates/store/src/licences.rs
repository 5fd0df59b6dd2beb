//! Repository of seal keys and electronic licences. A licence is written with its first event in
//! one transaction; a status change with its event likewise, guarded by the status it changes.

use crate::entity::{licence, licence_event, seal_key};
use crate::{Store, StoreError};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait};

pub type SealKeyRow = seal_key::Model;
pub type LicenceRow = licence::Model;
pub type LicenceEventRow = licence_event::Model;

impl Store {
    /// The agency's current seal key.
    pub async fn seal_key(&self, agency_code: &str) -> Result<Option<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find()
            .filter(seal_key::Column::AgencyCode.eq(agency_code))
            .filter(seal_key::Column::RetiredAt.is_null())
            .order_by_desc(seal_key::Column::CreatedAt)
            .one(&self.db)
            .await?)
    }

    /// Adds a key; false when its id is taken (another node made it first).
    pub async fn insert_seal_key(&self, k: SealKeyRow) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let added = seal_key::Entity::insert(k.into_active_model())
            .on_conflict(OnConflict::column(seal_key::Column::KeyId).do_nothing().to_owned())
            .exec_without_returning(&self.db)
            .await?;
        Ok(added == 1)
    }

    pub async fn seal_key_by_id(&self, key_id: &str) -> Result<Option<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find_by_id(key_id).one(&self.db).await?)
    }

    /// Every seal key, retired ones too (earlier licences stay verifiable), oldest first.
    pub async fn seal_keys(&self) -> Result<Vec<SealKeyRow>, StoreError> {
        Ok(seal_key::Entity::find().order_by_asc(seal_key::Column::CreatedAt).all(&self.db).await?)
    }

    /// Writes a new licence with its issue event; false when the case already has one.
    pub async fn insert_licence(&self, l: LicenceRow, event: LicenceEventRow) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let txn = self.db.begin().await?;
        if let Some(n) = &l.case_number
            && licence::Entity::find().filter(licence::Column::CaseNumber.eq(n)).count(&txn).await? > 0
        {
            txn.rollback().await?;
            return Ok(false);
        }
        licence::Entity::insert(l.into_active_model()).exec_without_returning(&txn).await?;
        licence_event::Entity::insert(event.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }

    pub async fn licence(&self, id: &str) -> Result<Option<LicenceRow>, StoreError> {
        Ok(licence::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn licence_of_case(&self, case_number: &str) -> Result<Option<LicenceRow>, StoreError> {
        Ok(licence::Entity::find().filter(licence::Column::CaseNumber.eq(case_number)).one(&self.db).await?)
    }

    /// A person's own licences, or an organization's (`organization` non-empty), newest first.
    pub async fn licences_of(&self, person_id: &str, organization: &str) -> Result<Vec<LicenceRow>, StoreError> {
        let q = if organization.is_empty() {
            licence::Entity::find().filter(licence::Column::HolderPerson.eq(person_id))
        } else {
            licence::Entity::find().filter(licence::Column::HolderOrganization.eq(organization))
        };
        Ok(q.order_by_desc(licence::Column::IssuedAt).all(&self.db).await?)
    }

    pub async fn licence_events(&self, id: &str) -> Result<Vec<LicenceEventRow>, StoreError> {
        Ok(licence_event::Entity::find()
            .filter(licence_event::Column::LicenceId.eq(id))
            .order_by_asc(licence_event::Column::Seq)
            .all(&self.db)
            .await?)
    }

    /// Moves a licence from status `from` to `event.status` with the event; false when its status
    /// was no longer `from`.
    pub async fn change_licence_status(&self, from: &str, mut event: LicenceEventRow) -> Result<bool, StoreError> {
        let _turn = self.write_turn().await;
        let txn = self.db.begin().await?;
        let done = licence::Entity::update_many()
            .col_expr(licence::Column::Status, Expr::value(event.status.clone()))
            .filter(licence::Column::Id.eq(&event.licence_id))
            .filter(licence::Column::Status.eq(from))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        event.seq = i32::try_from(
            licence_event::Entity::find()
                .filter(licence_event::Column::LicenceId.eq(&event.licence_id))
                .count(&txn)
                .await?,
        )
        .unwrap_or(i32::MAX)
            + 1;
        licence_event::Entity::insert(event.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }
}
