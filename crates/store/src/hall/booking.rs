//! Appointments and their slots: a place is taken only while `booked < capacity`, in one
//! conditional statement of the booking's transaction.

use super::{AppointmentRow, Booking, SlotRow, update_at};
use crate::entity::{appointment, hall_slot, message};
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

/// Takes a place in a slot (made with `capacity` if new): false when it is full.
async fn take_place(txn: &impl ConnectionTrait, a: &AppointmentRow, capacity: i32) -> Result<bool, StoreError> {
    let slot = SlotRow {
        hall_id: a.hall_id.clone(),
        group_code: a.group_code.clone(),
        day: a.day,
        start: a.start.clone(),
        capacity,
        booked: 0,
    };
    hall_slot::Entity::insert(slot.into_active_model())
        .on_conflict(
            OnConflict::columns([
                hall_slot::Column::HallId,
                hall_slot::Column::GroupCode,
                hall_slot::Column::Day,
                hall_slot::Column::Start,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    let taken = hall_slot::Entity::update_many()
        .col_expr(hall_slot::Column::Booked, Expr::col(hall_slot::Column::Booked).add(1))
        .filter(hall_slot::Column::HallId.eq(&a.hall_id))
        .filter(hall_slot::Column::GroupCode.eq(&a.group_code))
        .filter(hall_slot::Column::Day.eq(a.day))
        .filter(hall_slot::Column::Start.eq(&a.start))
        .filter(Expr::col(hall_slot::Column::Booked).lt(Expr::col(hall_slot::Column::Capacity)))
        .exec(txn)
        .await?;
    Ok(taken.rows_affected == 1)
}

async fn release_place(txn: &impl ConnectionTrait, a: &AppointmentRow) -> Result<(), StoreError> {
    hall_slot::Entity::update_many()
        .col_expr(hall_slot::Column::Booked, Expr::col(hall_slot::Column::Booked).sub(1))
        .filter(hall_slot::Column::HallId.eq(&a.hall_id))
        .filter(hall_slot::Column::GroupCode.eq(&a.group_code))
        .filter(hall_slot::Column::Day.eq(a.day))
        .filter(hall_slot::Column::Start.eq(&a.start))
        .filter(hall_slot::Column::Booked.gt(0))
        .exec(txn)
        .await?;
    Ok(())
}

impl Store {
    /// Books `a` in its slot; when moving an appointment (`moved`: it as it was, at its
    /// version), gives up its old slot and rewrites it — all or nothing.
    pub async fn book(
        &self,
        a: AppointmentRow,
        capacity: i32,
        moved: Option<(AppointmentRow, i64)>,
    ) -> Result<Booking, StoreError> {
        let (_turn, txn) = self.write().await?;
        if let Some((old, _)) = &moved {
            release_place(&txn, old).await?;
        }
        if !take_place(&txn, &a, capacity).await? {
            txn.rollback().await?;
            return Ok(Booking::Full);
        }
        match moved {
            Some((_, expected)) => {
                let id = a.id.clone();
                let row = a.into_active_model().reset_all();
                let key = (appointment::Column::Id, id.as_str());
                if !update_at::<appointment::Entity, _>(&txn, row, key, (appointment::Column::Version, expected))
                    .await?
                {
                    txn.rollback().await?;
                    return Ok(Booking::Stale);
                }
            }
            None => {
                appointment::Entity::insert(a.into_active_model()).exec_without_returning(&txn).await?;
            }
        }
        txn.commit().await?;
        Ok(Booking::Made)
    }

    /// Writes an appointment still at `expected` — cancelled or a no-show gives its place back.
    pub async fn update_appointment(&self, a: AppointmentRow, expected: i64) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let id = a.id.clone();
        if matches!(a.state.as_str(), "cancelled") {
            release_place(&txn, &a).await?;
        }
        let ok = update_at::<appointment::Entity, _>(
            &txn,
            a.into_active_model().reset_all(),
            (appointment::Column::Id, &id),
            (appointment::Column::Version, expected),
        )
        .await?;
        if ok {
            txn.commit().await?
        } else {
            txn.rollback().await?
        }
        Ok(ok)
    }

    pub async fn appointment(&self, id: &str) -> Result<Option<AppointmentRow>, StoreError> {
        Ok(appointment::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// A person's appointments, the latest day first.
    pub async fn appointments_of(&self, person_id: &str, limit: u64) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(appointment::Entity::find()
            .filter(appointment::Column::PersonId.eq(person_id))
            .order_by_desc(appointment::Column::Day)
            .order_by_desc(appointment::Column::Start)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Booked appointments of `day` in a hall, by slot (the day's list at the kiosk).
    pub async fn appointments_on(&self, hall_id: &str, day: NaiveDate) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(appointment::Entity::find()
            .filter(appointment::Column::HallId.eq(hall_id))
            .filter(appointment::Column::Day.eq(day))
            .order_by_asc(appointment::Column::Start)
            .all(&self.db)
            .await?)
    }

    /// Booked appointments before `day` not checked in: the no-shows to mark.
    pub async fn appointments_missed(&self, day: NaiveDate, limit: u64) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(appointment::Entity::find()
            .filter(appointment::Column::State.eq("booked"))
            .filter(appointment::Column::Day.lt(day))
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Booked appointments of the days `from..=to` whose reminder has not gone out.
    pub async fn appointments_to_remind(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        limit: u64,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(appointment::Entity::find()
            .filter(appointment::Column::State.eq("booked"))
            .filter(appointment::Column::Day.between(from, to))
            .filter(appointment::Column::Reminded.eq(false))
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Marks an appointment reminded and keeps its messages (in-site, and the texts), once
    /// (false if another node did).
    pub async fn remind(
        &self,
        id: &str,
        m: message::Model,
        texts: Vec<crate::outbound::OutboundRow>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let done = appointment::Entity::update_many()
            .col_expr(appointment::Column::Reminded, Expr::value(true))
            .filter(appointment::Column::Id.eq(id))
            .filter(appointment::Column::Reminded.eq(false))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        message::Entity::insert(m.into_active_model()).exec_without_returning(&txn).await?;
        crate::outbound::enqueue(&txn, texts).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// When a person's no-shows were marked, since `since`.
    pub async fn no_shows_of(&self, person_id: &str, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>, StoreError> {
        Ok(appointment::Entity::find()
            .select_only()
            .column(appointment::Column::UpdatedAt)
            .filter(appointment::Column::PersonId.eq(person_id))
            .filter(appointment::Column::State.eq("no_show"))
            .filter(appointment::Column::UpdatedAt.gte(since))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// The slots of a group on a day that hold bookings.
    pub async fn slots_on(&self, hall_id: &str, group: &str, day: NaiveDate) -> Result<Vec<SlotRow>, StoreError> {
        Ok(hall_slot::Entity::find()
            .filter(hall_slot::Column::HallId.eq(hall_id))
            .filter(hall_slot::Column::GroupCode.eq(group))
            .filter(hall_slot::Column::Day.eq(day))
            .all(&self.db)
            .await?)
    }
}
