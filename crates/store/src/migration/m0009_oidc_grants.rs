//! The authorization-code flow: codes (used once, bound to the client, redirect URI and PKCE
//! challenge) and refresh tokens, both stored as digests.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("oidc_codes")
                .col(string("code_hash").primary_key())
                .col(string("client_id"))
                .col(string("person_id"))
                .col(string("redirect_uri"))
                .col(string("code_challenge"))
                .col(string("scope"))
                .col(string_null("nonce"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(boolean("used"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("oidc_refresh_tokens")
                .col(string("token_hash").primary_key())
                .col(string("client_id"))
                .col(string("person_id"))
                .col(string("scope"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
