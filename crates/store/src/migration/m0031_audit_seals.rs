//! Signed heads of the global audit chain: database write access alone cannot rewrite history a
//! head signed with the platform's key covers without `audit verify` naming it (or, where the
//! signed heads were deleted too, without disagreeing with the heads the log recorded).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_seals")
                .col(big_integer("seq").primary_key())
                .col(string("hash"))
                .col(string("key_id"))
                .col(text("signature"))
                .col(timestamp_with_time_zone("sealed_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_seals").to_owned()).await
    }
}
