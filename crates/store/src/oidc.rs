//! Repository of OpenID Connect clients.

use crate::entity::oidc_client;
use crate::{Store, StoreError};
use sea_orm::{EntityTrait, IntoActiveModel};

pub type ClientRow = oidc_client::Model;

impl Store {
    pub async fn insert_oidc_client(&self, c: ClientRow) -> Result<(), StoreError> {
        oidc_client::Entity::insert(c.into_active_model()).exec_without_returning(&self.db).await?;
        Ok(())
    }

    pub async fn oidc_client(&self, client_id: &str) -> Result<Option<ClientRow>, StoreError> {
        Ok(oidc_client::Entity::find_by_id(client_id).one(&self.db).await?)
    }
}
