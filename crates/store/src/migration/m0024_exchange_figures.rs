//! The exchange's day figures: calls, errors, answered calls and a latency histogram per day,
//! resource and consumer, folded in by the sealer as it seals each batch of the call log, so
//! that monitoring reads figures instead of the day's calls. (Calls sealed before this version
//! are not in them.)

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("exchange_figures")
                .col(string("day"))
                .col(string("resource"))
                .col(string("consumer_agency"))
                .col(string_null("grant_id"))
                .col(text("figures"))
                .primary_key(Index::create().col("day").col("resource").col("consumer_agency"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("exchange_figures").to_owned()).await
    }
}
