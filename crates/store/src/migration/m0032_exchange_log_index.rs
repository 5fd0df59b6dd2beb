//! The call log keeps one index besides its key, by day and grant — the day's calls (monitoring)
//! and a grant's calls of a day (its quota) — instead of one by grant and day and one by day:
//! each page an index adds is written at every commit of the gateway's calls.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["exchange_log_grant_day", "exchange_log_day"] {
            m.drop_index(Index::drop().name(name).table("exchange_log").to_owned()).await?;
        }
        m.create_index(
            Index::create().name("exchange_log_day_grant").table("exchange_log").col("day").col("grant_id").to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("exchange_log_day_grant").table("exchange_log").to_owned()).await?;
        m.create_index(
            Index::create().name("exchange_log_grant_day").table("exchange_log").col("grant_id").col("day").to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("exchange_log_day").table("exchange_log").col("day").to_owned()).await
    }
}
