//! OpenID Connect clients: the department systems that trust the platform's logins.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("oidc_clients")
                .col(string("client_id").primary_key())
                .col(string("name"))
                // A keyed digest of the secret: secrets are long random strings, so a fast keyed
                // hash is as safe as a slow one and lets machine clients get tokens quickly.
                .col(string("secret_hash"))
                .col(string("redirect_uris"))
                .col(string("grant_types"))
                .col(string("subject_type"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
