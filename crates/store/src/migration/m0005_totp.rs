//! The optional second factor: a person's TOTP secret (sealed), one being set up, and the last
//! step used (a code is accepted once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in
            [string_null("totp_sealed"), string_null("totp_pending_sealed"), big_integer_null("totp_last_step")]
        {
            m.alter_table(Table::alter().table("persons").add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
