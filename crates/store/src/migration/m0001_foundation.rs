//! Reference data of the foundation: dataset versions, divisions and the holiday calendar.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("datasets")
                .col(string("name").primary_key())
                .col(string("version"))
                .col(big_integer("revision"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("divisions")
                .col(string("code").primary_key())
                .col(string("name"))
                .col(string("level"))
                .col(string_null("parent_code"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("divisions_parent").table("divisions").col("parent_code").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("calendar_years")
                .col(integer("year").primary_key())
                .col(json("papers"))
                .col(string("source"))
                .col(timestamp_with_time_zone("loaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("calendar_days")
                .col(date("date").primary_key())
                .col(integer("year"))
                .col(string("name"))
                .col(boolean("is_off_day"))
                .foreign_key(
                    ForeignKey::create()
                        .name("calendar_days_year")
                        .from("calendar_days", "year")
                        .to("calendar_years", "year")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("calendar_days_year").table("calendar_days").col("year").to_owned()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
