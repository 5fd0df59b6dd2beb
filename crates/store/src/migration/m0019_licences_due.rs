//! Licences due (待出证): a case concluded with approval whose offering produces a licence is
//! marked in the conclusion's transaction; the mark goes when the licence is issued, so a licence
//! whose issue failed is retried instead of forgotten.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("licences_due")
                .col(string("case_number").primary_key())
                .col(timestamp_with_time_zone("due_since"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
