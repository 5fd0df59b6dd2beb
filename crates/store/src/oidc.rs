//! Repository of OpenID Connect clients.

use crate::entity::{oidc_client, oidc_code, oidc_refresh_token};
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub type ClientRow = oidc_client::Model;
pub type CodeGrantRow = oidc_code::Model;
pub type RefreshRow = oidc_refresh_token::Model;

/// What taking a refresh token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshTake {
    /// Live, now used: the caller issues its successor in the same family.
    Taken(RefreshRow),
    /// Used before: its family is revoked now.
    Replayed(RefreshRow),
    /// Unknown, expired or revoked.
    Dead,
}

impl Store {
    pub async fn insert_oidc_client(&self, c: ClientRow) -> Result<(), StoreError> {
        oidc_client::Entity::insert(c.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Makes a client the system of an agency (a data consumer at the exchange gateway).
    pub async fn set_oidc_client_agency(&self, client_id: &str, agency_code: &str) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let r = oidc_client::Entity::update_many()
            .col_expr(oidc_client::Column::AgencyCode, sea_orm::sea_query::Expr::value(agency_code))
            .filter(oidc_client::Column::ClientId.eq(client_id))
            .exec(&*db)
            .await?;
        Ok(r.rows_affected == 1)
    }

    /// The registered systems of an agency.
    pub async fn agency_systems(&self, agency_code: &str) -> Result<Vec<ClientRow>, StoreError> {
        Ok(oidc_client::Entity::find()
            .filter(oidc_client::Column::AgencyCode.eq(agency_code))
            .order_by_asc(oidc_client::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    pub async fn oidc_client(&self, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
        Ok(oidc_client::Entity::find_by_id(client_id).one(&self.db).await?)
    }

    pub async fn insert_oidc_code(&self, c: CodeGrantRow) -> Result<(), StoreError> {
        oidc_code::Entity::insert(c.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Takes an unused, unexpired code: marks it used (atomically, so it is taken once) and
    /// returns it.
    pub async fn take_oidc_code(
        &self,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CodeGrantRow>, StoreError> {
        let done = oidc_code::Entity::update_many()
            .col_expr(oidc_code::Column::Used, true.into())
            .filter(oidc_code::Column::CodeHash.eq(code_hash))
            .filter(oidc_code::Column::Used.eq(false))
            .filter(oidc_code::Column::ExpiresAt.gt(now))
            .exec(&self.db)
            .await?;
        if done.rows_affected != 1 {
            return Ok(None);
        }
        Ok(oidc_code::Entity::find_by_id(code_hash).one(&self.db).await?)
    }

    pub async fn insert_refresh_token(&self, r: RefreshRow) -> Result<(), StoreError> {
        oidc_refresh_token::Entity::insert(r.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    /// Takes a live refresh token: marks it used (atomically: each is used once, then replaced).
    /// A token used before is being replayed — by a thief, or by the client it was stolen from —
    /// so the whole family is revoked, its live successor included.
    pub async fn take_refresh_token(&self, token_hash: &str, now: DateTime<Utc>) -> Result<RefreshTake, StoreError> {
        use oidc_refresh_token::Column as C;
        let (_turn, txn) = self.write().await?;
        let done = oidc_refresh_token::Entity::update_many()
            .col_expr(C::UsedAt, now.into())
            .filter(C::TokenHash.eq(token_hash))
            .filter(C::UsedAt.is_null())
            .filter(C::RevokedAt.is_null())
            .filter(C::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        let row = oidc_refresh_token::Entity::find_by_id(token_hash).one(&txn).await?;
        let taken = match row {
            Some(r) if done.rows_affected == 1 => RefreshTake::Taken(r),
            Some(r) if r.used_at.is_some() => {
                oidc_refresh_token::Entity::update_many()
                    .col_expr(C::RevokedAt, now.into())
                    .filter(C::Family.eq(r.family.as_str()))
                    .filter(C::RevokedAt.is_null())
                    .exec(&txn)
                    .await?;
                RefreshTake::Replayed(r)
            }
            _ => RefreshTake::Dead,
        };
        txn.commit().await?;
        Ok(taken)
    }

    /// Revokes a person's refresh tokens for a client (logout).
    pub async fn revoke_refresh_tokens(
        &self,
        person_id: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        oidc_refresh_token::Entity::update_many()
            .col_expr(oidc_refresh_token::Column::RevokedAt, now.into())
            .filter(oidc_refresh_token::Column::PersonId.eq(person_id))
            .filter(oidc_refresh_token::Column::ClientId.eq(client_id))
            .filter(oidc_refresh_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
