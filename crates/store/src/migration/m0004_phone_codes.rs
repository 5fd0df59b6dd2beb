//! One-time codes sent to a person's phone (step-up to L3), stored as digests.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("one_time_codes")
                .col(string("person_id"))
                .col(string("purpose"))
                .col(string("code_hash"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(integer("attempts"))
                .primary_key(Index::create().col("person_id").col("purpose"))
                .foreign_key(
                    ForeignKey::create()
                        .name("one_time_codes_person")
                        .from("one_time_codes", "person_id")
                        .to("persons", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
