//! The signed-in page's "Access token expires in" countdown.

use leptos_browser_oidc::Text;

/// Whole seconds left until `expires_at_ms` (0 once expired).
pub fn seconds_left(expires_at_ms: u64, now_ms: u64) -> u64 {
    expires_at_ms.saturating_sub(now_ms).div_ceil(1000)
}

/// "9 minutes 58 seconds", "42 seconds" or "expired", in the page's language.
pub fn remaining(seconds: u64) -> Text {
    if seconds == 0 {
        return Text::new("ui.expires_in.expired");
    }
    let counted_seconds = Text::counted("unit.seconds", seconds % 60);
    match seconds / 60 {
        0 => counted_seconds,
        minutes => Text::new("ui.expires_in.minutes_and_seconds")
            .with("minutes", Text::counted("unit.minutes", minutes))
            .with("seconds", counted_seconds),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::messages::english;
    use leptos_browser_oidc::PluralCategory;

    #[test]
    fn remaining_time_counts_down_to_expired_in_words() {
        assert_eq!(seconds_left(10_000, 0), 10);
        assert_eq!(seconds_left(10_000, 500), 10, "partial seconds round up");
        assert_eq!(seconds_left(10_000, 20_000), 0);
        let words = |seconds| english().render(&remaining(seconds), &PluralCategory::english);
        assert_eq!(words(598), "9 minutes 58 seconds");
        assert_eq!(words(61), "1 minute 1 second");
        assert_eq!(words(60), "1 minute 0 seconds");
        assert_eq!(words(42), "42 seconds");
        assert_eq!(words(0), "expired");
    }
}
