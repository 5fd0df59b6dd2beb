//! Repository of background jobs' leases.

use crate::entity::lease;
use crate::{Store, StoreError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

pub type LeaseRow = lease::Model;

impl Store {
    /// Takes the lease `name` for `holder` until `until`, or renews it, when it is free, lapsed
    /// at `now` or the holder's already; false when another holder keeps it. Each step is one
    /// statement: on PostgreSQL a rival's update of the same row waits for this one to commit and
    /// then no longer matches; of two inserts, one finds the other's row and does nothing.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let db = self.write_turn().await;
        let renewed = lease::Entity::update_many()
            .col_expr(lease::Column::Until, Expr::value(until))
            .filter(lease::Column::Name.eq(name))
            .filter(lease::Column::Holder.eq(holder))
            .exec(&*db)
            .await?;
        if renewed.rows_affected > 0 {
            return Ok(true);
        }
        let taken = lease::Entity::update_many()
            .col_expr(lease::Column::Holder, Expr::value(holder))
            .col_expr(lease::Column::Until, Expr::value(until))
            .col_expr(lease::Column::TakenAt, Expr::value(now))
            .filter(lease::Column::Name.eq(name))
            .filter(lease::Column::Until.lte(now))
            .exec(&*db)
            .await?;
        if taken.rows_affected > 0 {
            return Ok(true);
        }
        let row = LeaseRow { name: name.into(), holder: holder.into(), until, taken_at: now };
        let made = lease::Entity::insert(row.into_active_model())
            .on_conflict(OnConflict::column(lease::Column::Name).do_nothing().to_owned())
            .exec_without_returning(&*db)
            .await?;
        Ok(made == 1)
    }

    /// Gives up every lease of `holder` (a node stopping), so another node takes them at once.
    pub async fn give_up_leases(&self, holder: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let db = self.write_turn().await;
        Ok(lease::Entity::update_many()
            .col_expr(lease::Column::Until, Expr::value(now))
            .filter(lease::Column::Holder.eq(holder))
            .exec(&*db)
            .await?
            .rows_affected)
    }

    /// Every lease, by name.
    pub async fn leases(&self) -> Result<Vec<LeaseRow>, StoreError> {
        Ok(lease::Entity::find().order_by_asc(lease::Column::Name).all(&self.db).await?)
    }
}
