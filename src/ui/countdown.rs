//! The signed-in page's "Access token expires in" countdown.

/// Whole seconds left until `expires_at_ms` (0 once expired).
pub fn seconds_left(expires_at_ms: u64, now_ms: u64) -> u64 {
    expires_at_ms.saturating_sub(now_ms).div_ceil(1000)
}

/// "9 min 58 s", "42 s" or "expired".
pub fn describe_remaining(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, 0) => "expired".to_owned(),
        (0, s) => format!("{s} s"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_counts_down_to_expired() {
        assert_eq!(seconds_left(10_000, 0), 10);
        assert_eq!(seconds_left(10_000, 500), 10, "partial seconds round up");
        assert_eq!(seconds_left(10_000, 20_000), 0);
        assert_eq!(describe_remaining(598), "9 min 58 s");
        assert_eq!(describe_remaining(42), "42 s");
        assert_eq!(describe_remaining(0), "expired");
    }
}
