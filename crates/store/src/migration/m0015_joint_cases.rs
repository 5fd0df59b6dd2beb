//! Joint cases (联办件): a case records which agency handles its current step — the deciding
//! agency, or at a joint step another agency — and the deciding side's queue reads that.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in ["handling_agency", "handling_division"] {
            m.alter_table(Table::alter().table("cases").add_column(string(column).default("")).to_owned()).await?;
        }
        m.exec_stmt(
            Query::update()
                .table("cases")
                .value("handling_agency", Expr::col("deciding_agency"))
                .value("handling_division", Expr::col("deciding_division"))
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("cases_queue").table("cases").to_owned()).await?;
        m.create_index(
            Index::create()
                .name("cases_queue")
                .table("cases")
                .col("handling_agency")
                .col("state")
                .col("due")
                .col("case_number")
                .to_owned(),
        )
        .await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
