//! Parsing times typed by a user: `90`, `90.5`, `1:30`, `1:30.5`, `0:01:30`.

/// Seconds from `text`, or a message saying what is wrong.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    let bad =
        || format!("'{text}' is not a time (use seconds like 90.5 or minutes:seconds like 1:30.5)");
    let mut total = 0.0;
    let parts: Vec<&str> = text.trim().split(':').collect();
    if parts.len() > 3 {
        return Err(bad());
    }
    for (i, part) in parts.iter().enumerate() {
        let value: f64 = part.parse().map_err(|_| bad())?;
        let last = i + 1 == parts.len();
        if !value.is_finite() || value < 0.0 || (!last && value.fract() != 0.0) {
            return Err(bad());
        }
        total = total * 60.0 + value;
    }
    let max_s = stemdesk_session::MAX_SESSION_S as f64;
    if total > max_s {
        return Err(format!(
            "'{text}' is past {} hours, the longest a session can be",
            stemdesk_session::MAX_SESSION_S / 3600
        ));
    }
    Ok(total)
}

/// `m:ss.s` for messages.
pub fn format_seconds(seconds: f64) -> String {
    let minutes = (seconds / 60.0).floor();
    let rest = seconds - minutes * 60.0;
    if minutes >= 60.0 {
        let hours = (minutes / 60.0).floor();
        format!(
            "{}:{:02}:{rest:04.1}",
            hours as u64,
            (minutes - hours * 60.0) as u64
        )
    } else {
        format!("{}:{rest:04.1}", minutes as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_seconds_and_minutes() {
        assert_eq!(parse_seconds("90.5"), Ok(90.5));
        assert_eq!(parse_seconds("1:30.5"), Ok(90.5));
        assert_eq!(parse_seconds("1:00:00"), Ok(3600.0));
        assert!(parse_seconds("-3").is_err());
        assert!(parse_seconds("1.5:00").is_err());
        assert!(parse_seconds("abc").is_err());
        assert!(parse_seconds("1e15").is_err());
        assert_eq!(format_seconds(90.5), "1:30.5");
        assert_eq!(
            format_seconds(3.0 * 3600.0 + 6.0 * 60.0 + 24.25),
            "3:06:24.2"
        );
        assert_eq!(format_seconds(204.37), "3:24.4");
    }
}
