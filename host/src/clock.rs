//! The evaluation date, fixed once per run so that every policy sees the same day.

/// Today's date in UTC as `YYYY-MM-DD`, or `TALLYMAN_DATE` when set (tests
/// and reproducible builds pin it).
pub fn evaluation_date() -> String {
    if let Ok(date) = std::env::var("TALLYMAN_DATE")
        && !date.is_empty()
    {
        return date;
    }
    let today = time::OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        today.year(),
        u8::from(today.month()),
        today.day()
    )
}
