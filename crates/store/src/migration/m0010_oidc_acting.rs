//! An OpenID Connect login made while acting for an organization carries it: codes and refresh
//! tokens remember the organization (its credit code).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["oidc_codes", "oidc_refresh_tokens"] {
            m.alter_table(Table::alter().table(table).add_column(string_null("acting_for")).to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
