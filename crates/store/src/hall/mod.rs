//! Repository of the service hall: halls and their windows, appointment slots and appointments,
//! tickets, and the calls displays show. A booking takes a slot's place in one conditional
//! statement and a call takes a waiting ticket the same way, so racing requests — on one node or
//! several — have exactly one winner.

use crate::audit::{self, TrailDraft};
use crate::entity::{
    appointment, hall, hall_call, hall_group, hall_sequence, hall_slot, hall_ticket, hall_window, rating,
};
use crate::ratings::add_counts;

mod booking;
use crate::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use tongban_domain::ratings::Counts;

pub type HallRow = hall::Model;
pub type GroupRow = hall_group::Model;
pub type WindowRow = hall_window::Model;
pub type SlotRow = hall_slot::Model;
pub type AppointmentRow = appointment::Model;
pub type TicketRow = hall_ticket::Model;
pub type CallRow = hall_call::Model;

/// Why a booking was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booking {
    Made,
    /// The slot is full.
    Full,
    /// The appointment being moved changed meanwhile.
    Stale,
}

async fn next_number(txn: &impl ConnectionTrait, hall_id: &str, day: NaiveDate, line: &str) -> Result<i64, StoreError> {
    let backend = txn.get_database_backend();
    let mut upsert = hall_sequence::Entity::insert(
        hall_sequence::Model { hall_id: hall_id.into(), day, line: line.into(), next: 1 }.into_active_model(),
    )
    .on_conflict(
        OnConflict::columns([hall_sequence::Column::HallId, hall_sequence::Column::Day, hall_sequence::Column::Line])
            .value(hall_sequence::Column::Next, Expr::col((hall_sequence::Entity, hall_sequence::Column::Next)).add(1))
            .to_owned(),
    )
    .build(backend);
    upsert.sql.push_str(r#" RETURNING "next""#);
    let row = txn.query_one_raw(upsert).await?.ok_or_else(|| StoreError::Corrupt("hall sequence missing".into()))?;
    Ok(row.try_get::<i64>("", "next")?)
}

/// Writes `row` if it is still at `expected` (false otherwise).
async fn update_at<E, C>(
    txn: &impl ConnectionTrait,
    row: E::ActiveModel,
    id: (C, &str),
    version: (C, i64),
) -> Result<bool, StoreError>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let done = E::update_many().set(row).filter(id.0.eq(id.1)).filter(version.0.eq(version.1)).exec(txn).await?;
    Ok(done.rows_affected == 1)
}

/// The tickets of a window on a hall's day.
fn window_day(hall_id: &str, window: &str, day: NaiveDate) -> sea_orm::Select<hall_ticket::Entity> {
    hall_ticket::Entity::find()
        .filter(hall_ticket::Column::HallId.eq(hall_id))
        .filter(hall_ticket::Column::Day.eq(day))
        .filter(hall_ticket::Column::Window.eq(window))
}

impl Store {
    /// Creates or replaces a hall with its groups and windows (a window keeps who is at it).
    pub async fn save_hall(
        &self,
        h: HallRow,
        groups: Vec<GroupRow>,
        windows: Vec<WindowRow>,
    ) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        hall::Entity::insert(h.clone().into_active_model())
            .on_conflict(
                OnConflict::column(hall::Column::Id)
                    .update_columns([
                        hall::Column::Name,
                        hall::Column::DivisionCode,
                        hall::Column::AgencyCode,
                        hall::Column::Address,
                        hall::Column::Hours,
                        hall::Column::SlotMinutes,
                        hall::Column::DaysAhead,
                        hall::Column::ReleaseAt,
                        hall::Column::AppointmentAheadMinutes,
                        hall::Column::MaxRecalls,
                        hall::Column::DefaultServiceSecs,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        hall_group::Entity::delete_many().filter(hall_group::Column::HallId.eq(&h.id)).exec(&txn).await?;
        for g in groups {
            hall_group::Entity::insert(g.into_active_model()).exec_without_returning(&txn).await?;
        }
        let numbers: Vec<String> = windows.iter().map(|w| w.number.clone()).collect();
        hall_window::Entity::delete_many()
            .filter(hall_window::Column::HallId.eq(&h.id))
            .filter(hall_window::Column::Number.is_not_in(numbers))
            .exec(&txn)
            .await?;
        for w in windows {
            hall_window::Entity::insert(w.into_active_model())
                .on_conflict(
                    OnConflict::columns([hall_window::Column::HallId, hall_window::Column::Number])
                        .update_columns([hall_window::Column::AgencyCode, hall_window::Column::Groups])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn hall(&self, id: &str) -> Result<Option<HallRow>, StoreError> {
        Ok(hall::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// The halls in a division subtree, by name.
    pub async fn halls(&self, division_prefix: &str) -> Result<Vec<HallRow>, StoreError> {
        Ok(hall::Entity::find()
            .filter(hall::Column::DivisionCode.starts_with(division_prefix))
            .order_by_asc(hall::Column::DivisionCode)
            .order_by_asc(hall::Column::Name)
            .all(&self.db)
            .await?)
    }

    pub async fn hall_groups(&self, hall_id: &str) -> Result<Vec<GroupRow>, StoreError> {
        Ok(hall_group::Entity::find()
            .filter(hall_group::Column::HallId.eq(hall_id))
            .order_by_asc(hall_group::Column::Code)
            .all(&self.db)
            .await?)
    }

    pub async fn hall_windows(&self, hall_id: &str) -> Result<Vec<WindowRow>, StoreError> {
        Ok(hall_window::Entity::find()
            .filter(hall_window::Column::HallId.eq(hall_id))
            .order_by_asc(hall_window::Column::Number)
            .all(&self.db)
            .await?)
    }

    /// Signs a staff member in at a window (`None`: out). Signing in elsewhere leaves any other
    /// window of the hall the person was at.
    pub async fn set_window_staff(&self, hall_id: &str, number: &str, staff: Option<&str>) -> Result<(), StoreError> {
        let (_turn, txn) = self.write().await?;
        if let Some(s) = staff {
            hall_window::Entity::update_many()
                .col_expr(hall_window::Column::StaffId, Expr::value(Option::<String>::None))
                .filter(hall_window::Column::HallId.eq(hall_id))
                .filter(hall_window::Column::StaffId.eq(s))
                .exec(&txn)
                .await?;
        }
        hall_window::Entity::update_many()
            .col_expr(hall_window::Column::StaffId, Expr::value(staff.map(str::to_owned)))
            .filter(hall_window::Column::HallId.eq(hall_id))
            .filter(hall_window::Column::Number.eq(number))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Issues a ticket: numbered in its hall, day and line, and — for a check-in — the
    /// appointment (still `booked` at its version) marked checked in with it. None when the
    /// appointment changed meanwhile.
    pub async fn issue_ticket(
        &self,
        mut t: TicketRow,
        number: impl Fn(i64) -> String,
        check_in: Option<(AppointmentRow, i64)>,
    ) -> Result<Option<TicketRow>, StoreError> {
        let (_turn, txn) = self.write().await?;
        t.number = number(next_number(&txn, &t.hall_id, t.day, &t.line).await?);
        if let Some((a, expected)) = check_in {
            let id = a.id.clone();
            if !update_at::<appointment::Entity, _>(
                &txn,
                a.into_active_model().reset_all(),
                (appointment::Column::Id, &id),
                (appointment::Column::Version, expected),
            )
            .await?
            {
                txn.rollback().await?;
                return Ok(None);
            }
        }
        hall_ticket::Entity::insert(t.clone().into_active_model()).exec_without_returning(&txn).await?;
        txn.commit().await?;
        Ok(Some(t))
    }

    pub async fn ticket(&self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        Ok(hall_ticket::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// The waiting tickets of a hall's day in the order they are called.
    pub async fn waiting(&self, hall_id: &str, day: NaiveDate) -> Result<Vec<TicketRow>, StoreError> {
        Ok(hall_ticket::Entity::find()
            .filter(hall_ticket::Column::HallId.eq(hall_id))
            .filter(hall_ticket::Column::Day.eq(day))
            .filter(hall_ticket::Column::State.eq("waiting"))
            .order_by_asc(hall_ticket::Column::Rank)
            .order_by_asc(hall_ticket::Column::Number)
            .all(&self.db)
            .await?)
    }

    /// The tickets of a hall on the days `from..=to` (the figures).
    pub async fn tickets_between(
        &self,
        hall_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TicketRow>, StoreError> {
        Ok(hall_ticket::Entity::find()
            .filter(hall_ticket::Column::HallId.eq(hall_id))
            .filter(hall_ticket::Column::Day.between(from, to))
            .order_by_asc(hall_ticket::Column::IssuedAt)
            .all(&self.db)
            .await?)
    }

    /// The ticket a window has called and not finished.
    pub async fn at_window(
        &self,
        hall_id: &str,
        window: &str,
        day: NaiveDate,
    ) -> Result<Option<TicketRow>, StoreError> {
        Ok(window_day(hall_id, window, day).filter(hall_ticket::Column::State.eq("called")).one(&self.db).await?)
    }

    /// The last ticket a window finished today (the one its rating device offers).
    pub async fn last_finished(
        &self,
        hall_id: &str,
        window: &str,
        day: NaiveDate,
    ) -> Result<Option<TicketRow>, StoreError> {
        Ok(window_day(hall_id, window, day)
            .filter(hall_ticket::Column::State.eq("done"))
            .order_by_desc(hall_ticket::Column::FinishedAt)
            .one(&self.db)
            .await?)
    }

    /// Service times in seconds of the last `limit` tickets finished in a hall's group.
    pub async fn service_secs(&self, hall_id: &str, group: &str, limit: u64) -> Result<Vec<i64>, StoreError> {
        type Times = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
        let rows: Vec<Times> = hall_ticket::Entity::find()
            .select_only()
            .columns([hall_ticket::Column::CalledAt, hall_ticket::Column::FinishedAt])
            .filter(hall_ticket::Column::HallId.eq(hall_id))
            .filter(hall_ticket::Column::GroupCode.eq(group))
            .filter(hall_ticket::Column::State.eq("done"))
            .order_by_desc(hall_ticket::Column::FinishedAt)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().filter_map(|(c, f)| Some((f? - c?).num_seconds())).collect())
    }

    /// Calls the first waiting ticket of a hall's day in one of `groups` to `window`: taken
    /// only while still waiting, so two windows never call the same ticket. The call is written
    /// with it, for the displays.
    pub async fn call_next(
        &self,
        hall_id: &str,
        day: NaiveDate,
        groups: &[String],
        window: &str,
        call_id: String,
    ) -> Result<Option<TicketRow>, StoreError> {
        let (_turn, txn) = self.write().await?;
        // Each turn either takes a ticket or finds another window took it: the waiting are finite.
        loop {
            let Some(mut t) = hall_ticket::Entity::find()
                .filter(hall_ticket::Column::HallId.eq(hall_id))
                .filter(hall_ticket::Column::Day.eq(day))
                .filter(hall_ticket::Column::State.eq("waiting"))
                .filter(hall_ticket::Column::GroupCode.is_in(groups.iter().cloned()))
                .order_by_asc(hall_ticket::Column::Rank)
                .order_by_asc(hall_ticket::Column::Number)
                .one(&txn)
                .await?
            else {
                txn.rollback().await?;
                return Ok(None);
            };
            let now = Utc::now();
            let expected = t.version;
            (t.state, t.window, t.calls, t.called_at, t.version) =
                ("called".into(), window.into(), 1, Some(now), expected + 1);
            let id = t.id.clone();
            if update_at::<hall_ticket::Entity, _>(
                &txn,
                t.clone().into_active_model().reset_all(),
                (hall_ticket::Column::Id, &id),
                (hall_ticket::Column::Version, expected),
            )
            .await?
            {
                let call = CallRow {
                    id: call_id,
                    hall_id: hall_id.into(),
                    at: now,
                    number: t.number.clone(),
                    window: window.into(),
                    kind: "call".into(),
                };
                hall_call::Entity::insert(call.into_active_model()).exec_without_returning(&txn).await?;
                txn.commit().await?;
                return Ok(Some(t));
            }
        }
    }

    /// Writes a ticket still at `expected`, with the call it makes (a recall) and — for the
    /// appointment it came from — that appointment's new state.
    pub async fn update_ticket(
        &self,
        t: TicketRow,
        expected: i64,
        call: Option<CallRow>,
        appointment_state: Option<&str>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let id = t.id.clone();
        let appointment_id = t.appointment_id.clone();
        if !update_at::<hall_ticket::Entity, _>(
            &txn,
            t.into_active_model().reset_all(),
            (hall_ticket::Column::Id, &id),
            (hall_ticket::Column::Version, expected),
        )
        .await?
        {
            txn.rollback().await?;
            return Ok(false);
        }
        if let Some(c) = call {
            hall_call::Entity::insert(c.into_active_model()).exec_without_returning(&txn).await?;
        }
        if let (Some(state), false) = (appointment_state, appointment_id.is_empty()) {
            appointment::Entity::update_many()
                .col_expr(appointment::Column::State, Expr::value(state))
                .col_expr(appointment::Column::UpdatedAt, Expr::value(Utc::now()))
                .col_expr(appointment::Column::Version, Expr::col(appointment::Column::Version).add(1))
                .filter(appointment::Column::Id.eq(&appointment_id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Calls of every hall at or after `since`, oldest first (what each node's display hub polls).
    pub async fn calls_since(&self, since: DateTime<Utc>) -> Result<Vec<CallRow>, StoreError> {
        Ok(hall_call::Entity::find()
            .filter(hall_call::Column::At.gte(since))
            .order_by_asc(hall_call::Column::At)
            .order_by_asc(hall_call::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// A hall's latest calls, the newest first.
    pub async fn recent_calls(&self, hall_id: &str, limit: u64) -> Result<Vec<CallRow>, StoreError> {
        Ok(hall_call::Entity::find()
            .filter(hall_call::Column::HallId.eq(hall_id))
            .order_by_desc(hall_call::Column::At)
            .order_by_desc(hall_call::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The rating of a finished visit (一次一评), once: counted in the figures and kept in the
    /// visit's trail (keyed by the ticket), with the case's trail told when the visit made one.
    pub async fn rate_visit(
        &self,
        ticket_id: &str,
        r: rating::Model,
        rect: Option<crate::ratings::RectificationRow>,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let done = hall_ticket::Entity::update_many()
            .col_expr(hall_ticket::Column::Rated, Expr::value(true))
            .col_expr(hall_ticket::Column::Version, Expr::col(hall_ticket::Column::Version).add(1))
            .filter(hall_ticket::Column::Id.eq(ticket_id))
            .filter(hall_ticket::Column::State.eq("done"))
            .filter(hall_ticket::Column::Rated.eq(false))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        rating::Entity::insert(r.clone().into_active_model()).exec_without_returning(&txn).await?;
        add_counts(&txn, &r.figure_key(), Counts::of_rating(r.level as u8)).await?;
        if let Some(rect) = rect {
            crate::entity::rectification::Entity::insert(rect.into_active_model()).exec_without_returning(&txn).await?;
        }
        audit::append(&txn, &r.case_number, trail, true).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }
}
