//! A person's own ratings (我的评价), newest first: the cases they rated and the window visits
//! rated at the window's device, with what became of each bad review.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create().name("ratings_by_person").table("ratings").col("person_id").col("created_at").to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ratings_by_person").table("ratings").to_owned()).await
    }
}
