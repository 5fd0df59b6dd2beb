//! Checking national codes for operators and integrators.

use tongban_domain::{CheckOutcome, check_code};

/// Detects and validates a code of unknown kind against today's date and the vendored divisions.
pub fn check(value: &str) -> CheckOutcome {
    let today = tongban_domain::calendar::china_today();
    check_code(value, today, &crate::datasets::division_known)
}
