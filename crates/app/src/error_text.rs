//! One line for an error and its causes, each said once.

/// The error followed by each cause that adds something: library errors often include
/// their cause in their own message (`"x.wav: cannot open file: No such file"`), and
/// printing the chain as well would say the OS error twice.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let os = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(os).context("x.wav: cannot open file: No such file");
        assert_eq!(error_text(&e), "x.wav: cannot open file: No such file");
        let e = anyhow::anyhow!("disk full").context("cannot save song.ron");
        assert_eq!(error_text(&e), "cannot save song.ron: disk full");
    }
}
