//! Outbound messages (短信与邮件): every text message and e-mail the platform sends, kept with
//! its delivery status — pending, sent (with the gateway's receipt), failed after its attempts,
//! expired (a code past its validity), or skipped (no address on that channel). What it says is
//! sealed: one-time codes are secrets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbound_messages")
                .col(string("id").primary_key())
                .col(string("person_id"))
                .col(string("channel"))
                .col(string("kind"))
                .col(text("payload_sealed"))
                .col(string("status"))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("next_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(text_null("last_error"))
                .col(string_null("receipt"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("outbound_messages_due")
                .table("outbound_messages")
                .col("status")
                .col("next_at")
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
