//! Repository of organizations, their agents' grants, the legal-person registry, and the
//! organization a session acts for.

use crate::entity::{agent_grant, legal_entry, organization, session};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub type OrganizationRow = organization::Model;
pub type GrantRow = agent_grant::Model;
pub type LegalEntryRow = legal_entry::Model;

impl Store {
    /// Adds or updates legal-registry entries — with `replace`, in place of every entry there
    /// was, in one transaction; returns how many.
    pub async fn import_legal_registry(&self, rows: &[LegalEntryRow], replace: bool) -> Result<usize, StoreError> {
        let (_turn, txn) = self.write().await?;
        if replace {
            legal_entry::Entity::delete_many().exec(&txn).await?;
        }
        for chunk in rows.chunks(500) {
            legal_entry::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
                .on_conflict(
                    OnConflict::column(legal_entry::Column::CreditCode)
                        .update_columns([
                            legal_entry::Column::Name,
                            legal_entry::Column::LegalRepIndex,
                            legal_entry::Column::LoadedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(rows.len())
    }

    /// Removes the legal-registry entries of these credit codes; how many there were.
    pub async fn delete_legal_entries(&self, codes: &[String]) -> Result<u64, StoreError> {
        let (_turn, txn) = self.write().await?;
        let done = legal_entry::Entity::delete_many()
            .filter(legal_entry::Column::CreditCode.is_in(codes.iter().cloned()))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(done.rows_affected)
    }

    pub async fn legal_entry(&self, credit_code: &str) -> Result<Option<LegalEntryRow>, StoreError> {
        Ok(legal_entry::Entity::find_by_id(credit_code).one(&self.db).await?)
    }

    pub async fn legal_registry_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(legal_entry::Entity::find().count(&self.db).await?)
    }

    /// Adds an organization; `Duplicate("credit_code")` when it is registered already.
    pub async fn insert_organization(&self, o: OrganizationRow) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        if organization::Entity::find_by_id(&o.credit_code).one(&txn).await?.is_some() {
            return Err(StoreError::Duplicate("credit_code"));
        }
        organization::Entity::insert(o.into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn organization(&self, credit_code: &str) -> Result<Option<OrganizationRow>, StoreError> {
        Ok(organization::Entity::find_by_id(credit_code).one(&self.db).await?)
    }

    /// The organizations a person represents legally.
    pub async fn organizations_led_by(&self, person_id: &str) -> Result<Vec<OrganizationRow>, StoreError> {
        Ok(organization::Entity::find()
            .filter(organization::Column::LegalRepPersonId.eq(person_id))
            .order_by_asc(organization::Column::CreditCode)
            .all(&self.db)
            .await?)
    }

    pub async fn insert_grant(&self, g: GrantRow) -> Result<(), StoreError> {
        agent_grant::Entity::insert(g.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Grants not revoked and not expired at `now`: of an agent (`by_agent`) or of an organization.
    pub async fn live_grants(
        &self,
        by_agent: Option<&str>,
        credit_code: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<GrantRow>, StoreError> {
        let mut q = agent_grant::Entity::find()
            .filter(agent_grant::Column::RevokedAt.is_null())
            .filter(agent_grant::Column::ExpiresAt.gt(now));
        if let Some(agent) = by_agent {
            q = q.filter(agent_grant::Column::AgentPersonId.eq(agent));
        }
        if let Some(code) = credit_code {
            q = q.filter(agent_grant::Column::CreditCode.eq(code));
        }
        Ok(q.order_by_desc(agent_grant::Column::GrantedAt).all(&self.db).await?)
    }

    /// Revokes a live grant of `credit_code`; false when there is none with that id.
    pub async fn revoke_grant(&self, credit_code: &str, id: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = agent_grant::Entity::update_many()
            .col_expr(agent_grant::Column::RevokedAt, at.into())
            .filter(agent_grant::Column::Id.eq(id))
            .filter(agent_grant::Column::CreditCode.eq(credit_code))
            .filter(agent_grant::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Sets the organization a session acts for (`None`: the person themself).
    pub async fn set_acting_for(&self, token_hash: &str, credit_code: Option<&str>) -> Result<(), StoreError> {
        session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            acting_for: Set(credit_code.map(str::to_owned)),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }
}
