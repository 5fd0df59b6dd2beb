//! Pure domain rules of Tongban (通办): national identity codes, masking and the statutory
//! working-day calendar. No I/O and no async: everything here is a function of its inputs.

pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod codes;
pub mod exchange;
pub mod forms;
pub mod hall;
pub mod identity;
pub mod inquiries;
pub mod licences;
pub mod mask;
pub mod materials;
pub mod ratings;

pub use calendar::{Calendar, CalendarYear, Deadline, Suspension};
pub use codes::{
    CheckOutcome, CitizenId, CodeError, CodeKind, CreditCode, DivisionCode, DivisionLevel, LicenceId, check_code,
};
