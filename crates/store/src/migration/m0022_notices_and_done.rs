//! Case notices people choose and receive combined: each person's channels for notices of their
//! cases (`notice_channels`, e.g. `sms,email`; one-time codes always go by text message), and the
//! topic of a message (a notice's case number), so that notices of one case sent within minutes
//! of each other go as one. And the audit trail by actor, for a staff member's 已办 list.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("persons").add_column(string("notice_channels").default("sms,email")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("outbound_messages").add_column(string_null("topic")).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("outbound_messages_topic")
                .table("outbound_messages")
                .col("person_id")
                .col("topic")
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("case_trail_actor").table("case_trail").col("actor_id").to_owned()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
