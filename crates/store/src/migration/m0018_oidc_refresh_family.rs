//! Refresh-token families (RFC 9700 §4.14.2): every token a grant's rotations produce shares the
//! family of the first; a token used once is marked used, so its reuse — a sign it was stolen —
//! revokes the whole family.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let table = "oidc_refresh_tokens";
        m.alter_table(Table::alter().table(table).add_column(string("family").default("")).to_owned()).await?;
        m.alter_table(Table::alter().table(table).add_column(timestamp_with_time_zone_null("used_at")).to_owned())
            .await?;
        // Tokens issued before: each its own family.
        m.exec_stmt(Query::update().table(table).value("family", Expr::col("token_hash")).to_owned()).await?;
        m.create_index(Index::create().name("oidc_refresh_tokens_family").table(table).col("family").to_owned()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
