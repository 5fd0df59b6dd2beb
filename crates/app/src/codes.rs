//! Checking national codes for operators and integrators.

use tongban_domain::{CheckOutcome, check_code};

/// Detects and validates a code of unknown kind against today's date and the vendored divisions.
pub fn check(value: &str) -> CheckOutcome {
    let today = chrono::Local::now().date_naive();
    check_code(value, today, &crate::datasets::division_known)
}
