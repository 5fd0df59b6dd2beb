//! Webhooks of department systems, and the outbox of deliveries written in the same transaction as
//! the change they announce.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhooks")
                .col(string("id").primary_key())
                .col(string("agency_code"))
                .col(string("url"))
                // The signing secret, sealed (SM4-GCM).
                .col(string("secret_sealed"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("webhooks_agency").table("webhooks").col("agency_code").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("outbox")
                .col(string("id").primary_key())
                .col(string("webhook_id"))
                .col(string("event"))
                .col(text("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .col(string_null("last_error"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("outbox_due").table("outbox").col("delivered_at").col("next_at").to_owned())
            .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
