//! Appeals (申诉复核) of bad reviews: an agency says a review is mistaken or malicious, the
//! platform administrator decides with reasons; one appeal per rating.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rating_appeals")
                .col(string("rating_id").primary_key())
                .col(string("case_number"))
                .col(string("agency_code"))
                .col(string("state"))
                .col(text("reason"))
                .col(string("appealed_by"))
                .col(timestamp_with_time_zone("appealed_at"))
                .col(text("decision"))
                .col(string_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("rating_appeals_by_state")
                .table("rating_appeals")
                .col("state")
                .col("appealed_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rating_appeals").to_owned()).await
    }
}
