//! Trail entries waiting for their global anchor. On PostgreSQL entries are anchored in batches
//! right after their transaction commits, so concurrent cases no longer queue on the chain's head
//! row; an entry is written here in its own transaction and removed when it is anchored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_pending")
                .col(string("case_number"))
                .col(big_integer("case_seq"))
                .col(string("entry_hash"))
                .col(timestamp_with_time_zone("at"))
                .primary_key(Index::create().col("case_number").col("case_seq"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
