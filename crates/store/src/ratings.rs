//! Repository of ratings (好差评): ratings, rectifications and the figures kept with them. Every
//! change that moves a figure adds to its row in the change's own transaction.

use crate::audit::{self, TrailDraft};
use crate::entity::{message, rating, rating_appeal, rating_figure, rectification};
use crate::{Store, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use tongban_domain::ratings::Counts;

pub type RatingRow = rating::Model;
pub type RectificationRow = rectification::Model;
pub type RatingFigureRow = rating_figure::Model;
pub type AppealRow = rating_appeal::Model;

/// The row of figures a change counts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureKey {
    /// `YYYY-MM`, China time.
    pub month: String,
    pub agency_code: String,
    pub offering_code: String,
    pub division_code: String,
}

impl RatingRow {
    pub fn figure_key(&self) -> FigureKey {
        FigureKey {
            month: self.month.clone(),
            agency_code: self.agency_code.clone(),
            offering_code: self.offering_code.clone(),
            division_code: self.division_code.clone(),
        }
    }
}

/// Adds `d` to the figures of `key`, and of its agency (offering blank) and its division (agency
/// and offering blank): the public page reads the level its question needs, a few rows, not one
/// per offering. Each row is made if missing, then one update adds every count (so two writers
/// adding at once both count, on either backend).
pub(crate) async fn add_counts(db: &impl ConnectionTrait, key: &FigureKey, d: Counts) -> Result<(), DbErr> {
    if d == Counts::default() {
        return Ok(());
    }
    let agency = FigureKey { offering_code: String::new(), ..key.clone() };
    let division = FigureKey { agency_code: String::new(), ..agency.clone() };
    for key in [key, &agency, &division] {
        add_to_row(db, key, d).await?;
    }
    Ok(())
}

async fn add_to_row(db: &impl ConnectionTrait, key: &FigureKey, d: Counts) -> Result<(), DbErr> {
    let zero = rating_figure::Model {
        month: key.month.clone(),
        agency_code: key.agency_code.clone(),
        offering_code: key.offering_code.clone(),
        division_code: key.division_code.clone(),
        rateable: 0,
        rated: 0,
        good: 0,
        bad: 0,
        bad_answered: 0,
        rectified: 0,
        judged: 0,
        satisfied: 0,
    };
    rating_figure::Entity::insert(zero.into_active_model())
        .on_conflict(
            OnConflict::columns([
                rating_figure::Column::Month,
                rating_figure::Column::AgencyCode,
                rating_figure::Column::OfferingCode,
                rating_figure::Column::DivisionCode,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    use rating_figure::Column as C;
    let mut update = rating_figure::Entity::update_many();
    for (column, n) in [
        (C::Rateable, d.rateable),
        (C::Rated, d.rated),
        (C::Good, d.good),
        (C::Bad, d.bad),
        (C::BadAnswered, d.bad_answered),
        (C::Rectified, d.rectified),
        (C::Judged, d.judged),
        (C::Satisfied, d.satisfied),
    ] {
        if n != 0 {
            update = update.col_expr(column, Expr::col(column).add(n));
        }
    }
    update
        .filter(C::Month.eq(&key.month))
        .filter(C::AgencyCode.eq(&key.agency_code))
        .filter(C::OfferingCode.eq(&key.offering_code))
        .filter(C::DivisionCode.eq(&key.division_code))
        .exec(db)
        .await?;
    Ok(())
}

/// What a rating's change does to its rectification.
#[derive(Debug, Clone)]
pub enum RectChange {
    None,
    /// A good review turned bad opens one.
    Opened(RectificationRow),
    /// A bad review turned good withdraws it (written if still at this version).
    Withdrawn(RectificationRow, i64),
}

/// Which rows of figures: per offering (its agency and division), per agency (in a division), or
/// per division.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FigureLevel {
    Offering,
    #[default]
    Agency,
    Division,
}

/// What the figures are summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureGroup {
    Agency,
    Offering,
    Division,
    Month,
}

/// Which figure rows to read: the level, months `from..=to` (`YYYY-MM`), and optionally one
/// agency, one offering, a division subtree (a code prefix).
#[derive(Debug, Clone, Default)]
pub struct FigureFilter {
    pub level: FigureLevel,
    pub from: String,
    pub to: String,
    pub agency: Option<String>,
    pub offering: Option<String>,
    pub division_prefix: Option<String>,
}

impl Store {
    /// Saves a case's rating — counted in its figures, with the rectification a bad review opens
    /// — unless the case has one already (false).
    pub async fn insert_rating(
        &self,
        r: RatingRow,
        rect: Option<RectificationRow>,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &r.case_number, trail).await?;
        let n = rating::Entity::insert(r.clone().into_active_model())
            .on_conflict(OnConflict::column(rating::Column::CaseNumber).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        if n != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        add_counts(&txn, &r.figure_key(), Counts::of_rating(r.level as u8)).await?;
        if let Some(rect) = rect {
            rectification::Entity::insert(rect.into_active_model()).exec_without_returning(&txn).await?;
        }
        audit::append(&txn, &r.case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// The one change of a rating (still unchanged, else false): the row, the rectification it
    /// opens (`Opened`) or withdraws (`Withdrawn`, at its version), and what moves in the figures.
    pub async fn change_rating(
        &self,
        r: RatingRow,
        rect: RectChange,
        d: Counts,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &r.case_number, trail).await?;
        let done = rating::Entity::update_many()
            .set(r.clone().into_active_model().reset_all())
            .filter(rating::Column::Id.eq(&r.id))
            .filter(rating::Column::Changes.eq(r.changes - 1))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        match rect {
            RectChange::None => {}
            RectChange::Opened(x) => {
                rectification::Entity::insert(x.into_active_model()).exec_without_returning(&txn).await?;
            }
            RectChange::Withdrawn(x, expected) => {
                let n = rectification::Entity::update_many()
                    .set(x.clone().into_active_model().reset_all())
                    .filter(rectification::Column::RatingId.eq(&x.rating_id))
                    .filter(rectification::Column::Version.eq(expected))
                    .exec(&txn)
                    .await?;
                if n.rows_affected != 1 {
                    txn.rollback().await?;
                    return Ok(false);
                }
            }
        }
        add_counts(&txn, &r.figure_key(), d).await?;
        audit::append(&txn, &r.case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// Open rectifications not yet escalated, after `after` (by rating id), a page at a time.
    pub async fn open_rectifications(&self, after: &str, limit: u64) -> Result<Vec<RectificationRow>, StoreError> {
        Ok(rectification::Entity::find()
            .filter(rectification::Column::State.eq("open"))
            .filter(rectification::Column::Escalated.eq(false))
            .filter(rectification::Column::RatingId.gt(after))
            .order_by_asc(rectification::Column::RatingId)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Marks an overdue rectification escalated and leaves its messages, once: false when it was
    /// escalated already (by another node's sweep).
    pub async fn escalate_rectification(
        &self,
        x: &RectificationRow,
        messages: Vec<crate::entity::message::Model>,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let rating_id = &x.rating_id;
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &x.case_number, trail).await?;
        let done = rectification::Entity::update_many()
            .col_expr(rectification::Column::Escalated, Expr::value(true))
            .filter(rectification::Column::RatingId.eq(rating_id))
            .filter(rectification::Column::Escalated.eq(false))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        for m in messages {
            crate::entity::message::Entity::insert(m.into_active_model()).exec_without_returning(&txn).await?;
        }
        audit::append(&txn, &x.case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    pub async fn rating_of_case(&self, case_number: &str) -> Result<Option<RatingRow>, StoreError> {
        Ok(rating::Entity::find().filter(rating::Column::CaseNumber.eq(case_number)).one(&self.db).await?)
    }

    /// A person's ratings, the newest first (at most `limit`).
    pub async fn ratings_of_person(&self, person_id: &str, limit: u64) -> Result<Vec<RatingRow>, StoreError> {
        Ok(rating::Entity::find()
            .filter(rating::Column::PersonId.eq(person_id))
            .order_by_desc(rating::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    pub async fn rating(&self, id: &str) -> Result<Option<RatingRow>, StoreError> {
        Ok(rating::Entity::find_by_id(id).one(&self.db).await?)
    }

    pub async fn rectification(&self, rating_id: &str) -> Result<Option<RectificationRow>, StoreError> {
        Ok(rectification::Entity::find_by_id(rating_id).one(&self.db).await?)
    }

    /// An agency's rectifications in a division subtree, the oldest first; only those still
    /// being worked (open or answered) when `open_only`.
    pub async fn rectifications_of(
        &self,
        agency: &str,
        division_prefix: &str,
        open_only: bool,
        limit: u64,
    ) -> Result<Vec<RectificationRow>, StoreError> {
        let mut q = rectification::Entity::find()
            .filter(rectification::Column::AgencyCode.eq(agency))
            .filter(rectification::Column::DivisionCode.starts_with(division_prefix));
        if open_only {
            q = q.filter(rectification::Column::State.is_in(["open", "answered"]));
        }
        Ok(q.order_by_asc(rectification::Column::OpenedOn)
            .order_by_asc(rectification::Column::RatingId)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Writes a step of a rectification if it is still at `expected_version` (false otherwise),
    /// adding `d` to the figures of `key`.
    pub async fn update_rectification(
        &self,
        row: RectificationRow,
        expected_version: i64,
        key: &FigureKey,
        d: Counts,
        trail: TrailDraft,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &row.case_number, trail).await?;
        let done = rectification::Entity::update_many()
            .set(row.clone().into_active_model().reset_all())
            .filter(rectification::Column::RatingId.eq(&row.rating_id))
            .filter(rectification::Column::Version.eq(expected_version))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        add_counts(&txn, key, d).await?;
        audit::append(&txn, &row.case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// The counts a filter selects, of its level, summed by `by` in the database: a line per
    /// agency, offering, division or month, however many rows they come from.
    pub async fn rating_figures(&self, f: &FigureFilter, by: FigureGroup) -> Result<Vec<(String, Counts)>, StoreError> {
        use rating_figure::Column as C;
        use sea_orm::sea_query::{Alias, Func};
        let group = match by {
            FigureGroup::Agency => C::AgencyCode,
            FigureGroup::Offering => C::OfferingCode,
            FigureGroup::Division => C::DivisionCode,
            FigureGroup::Month => C::Month,
        };
        let mut q = rating_figure::Entity::find().select_only().column(group);
        for (c, name) in [
            (C::Rateable, "rateable"),
            (C::Rated, "rated"),
            (C::Good, "good"),
            (C::Bad, "bad"),
            (C::BadAnswered, "bad_answered"),
            (C::Rectified, "rectified"),
            (C::Judged, "judged"),
            (C::Satisfied, "satisfied"),
        ] {
            // PostgreSQL sums bigints as numeric: cast back.
            q = q.column_as(Expr::expr(Func::cast_as(Func::sum(Expr::col(c)), Alias::new("BIGINT"))), name);
        }
        q = q.filter(C::Month.gte(&f.from)).filter(C::Month.lte(&f.to));
        // `> ''`, not `<> ''`: a range the level index can walk.
        q = match f.level {
            FigureLevel::Offering => q.filter(C::OfferingCode.gt("")),
            FigureLevel::Agency => q.filter(C::OfferingCode.eq("")).filter(C::AgencyCode.gt("")),
            FigureLevel::Division => q.filter(C::OfferingCode.eq("")).filter(C::AgencyCode.eq("")),
        };
        if let Some(a) = &f.agency {
            q = q.filter(C::AgencyCode.eq(a));
        }
        if let Some(o) = &f.offering {
            q = q.filter(C::OfferingCode.eq(o));
        }
        if let Some(d) = &f.division_prefix {
            q = q.filter(C::DivisionCode.starts_with(d));
        }
        let rows = q
            .group_by(group)
            .order_by_asc(group)
            .into_tuple::<(String, i64, i64, i64, i64, i64, i64, i64, i64)>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(g, rateable, rated, good, bad, bad_answered, rectified, judged, satisfied)| {
                (g, Counts { rateable, rated, good, bad, bad_answered, rectified, judged, satisfied })
            })
            .collect())
    }

    /// Files an appeal of a rating, with its entry in the case's trail, unless the rating has
    /// one already (false): one appeal per rating.
    pub async fn insert_appeal(&self, a: AppealRow, trail: TrailDraft) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &a.case_number, trail).await?;
        let n = rating_appeal::Entity::insert(a.clone().into_active_model())
            .on_conflict(OnConflict::column(rating_appeal::Column::RatingId).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        if n != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        audit::append(&txn, &a.case_number, trail, false).await?;
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    /// Decides a pending appeal (false when decided already, or when the rectification moved
    /// from `void`'s version): the appeal; when upheld, the rectification voided and what leaves
    /// the figures of `key`; the entry in the case's trail; the messages.
    pub async fn decide_appeal(
        &self,
        a: AppealRow,
        void: Option<(RectificationRow, i64, FigureKey, Counts)>,
        trail: TrailDraft,
        messages: Vec<message::Model>,
    ) -> Result<bool, StoreError> {
        let (_turn, txn) = self.write().await?;
        let trail = audit::in_case_state(&txn, &a.case_number, trail).await?;
        let done = rating_appeal::Entity::update_many()
            .set(a.clone().into_active_model().reset_all())
            .filter(rating_appeal::Column::RatingId.eq(&a.rating_id))
            .filter(rating_appeal::Column::State.eq("pending"))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(false);
        }
        if let Some((x, expected, key, d)) = void {
            let n = rectification::Entity::update_many()
                .set(x.clone().into_active_model().reset_all())
                .filter(rectification::Column::RatingId.eq(&x.rating_id))
                .filter(rectification::Column::Version.eq(expected))
                .exec(&txn)
                .await?;
            if n.rows_affected != 1 {
                txn.rollback().await?;
                return Ok(false);
            }
            add_counts(&txn, &key, d).await?;
        }
        audit::append(&txn, &a.case_number, trail, false).await?;
        for m in messages {
            message::Entity::insert(m.into_active_model()).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        drop(_turn);
        self.anchor_soon().await;
        Ok(true)
    }

    pub async fn appeal(&self, rating_id: &str) -> Result<Option<AppealRow>, StoreError> {
        Ok(rating_appeal::Entity::find_by_id(rating_id).one(&self.db).await?)
    }

    /// Appeals in a state, the oldest first.
    pub async fn appeals_in(&self, state: &str, limit: u64) -> Result<Vec<AppealRow>, StoreError> {
        Ok(rating_appeal::Entity::find()
            .filter(rating_appeal::Column::State.eq(state))
            .order_by_asc(rating_appeal::Column::AppealedAt)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
