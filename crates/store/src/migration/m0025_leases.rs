//! Leases of background jobs: a row per job naming the node that runs it and until when, so that
//! nodes sharing a database run each job once (`tongban_app::leases`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("leases")
                .col(string("name").primary_key())
                .col(string("holder"))
                .col(timestamp_with_time_zone("until"))
                .col(timestamp_with_time_zone("taken_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("leases").to_owned()).await
    }
}
