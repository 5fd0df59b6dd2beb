//! The search synonyms (同义词与口语词) administrators edit: one list, its revision (every node
//! reloads the list when it moves) and who saved it last.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_synonyms")
                .col(string("name").primary_key())
                .col(text("list"))
                .col(big_integer("revision"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(string("updated_by"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
