//! Measured figures in the prose must be the generated tables' figures.
//!
//! The costs pages include tables that `cargo xtask bench-report` and its siblings write into
//! `book/src/generated/`. When a benchmark is re-run the tables change, and prose that says
//! "about a hundred times faster" silently stops being true. So on a page that includes a
//! generated table:
//!
//! - a ratio (`391×`) or a rate (`2.20 M/s`) in the prose must be one of the generated tables'
//!   figures, as shown or rounded to the digits the prose gives (`82×` for `81.93×`), so that
//!   re-running a benchmark makes the check name every sentence to revisit;
//! - a multiple in words ("a hundred times", "twice as fast", "a third as long") is reported:
//!   write the table's figure instead.
//!
//! A duration (`102 ms`) is checked only in a sentence that names a benchmark row
//! (`merge/bitcask/100000`): elsewhere the prose uses durations for settings ("10 ms between
//! syncs").

use std::collections::HashSet;

/// Fractions that, a few words before a word of speed or time, state a measured ratio ("a
/// twentieth faster", "a third of its speed").
const FRACTION_WORDS: [&str; 9] = [
    "third",
    "quarter",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "tenth",
    "twentieth",
    "hundredth",
];

/// What a fraction is a fraction of, when it states a measured ratio.
const MEASURED_WORDS: [&str; 7] = [
    "faster",
    "slower",
    "speed",
    "rate",
    "time",
    "throughput",
    "longer",
];

/// Verbs that state a measured multiple on their own ("doubles the rate").
const MULTIPLE_VERBS: [&str; 7] = [
    "double", "doubles", "doubled", "halves", "halved", "triples", "tripled",
];

/// Number words that, before "times" or "as", state a measured multiple.
const MULTIPLE_WORDS: [&str; 16] = [
    "two", "three", "four", "five", "six", "eight", "ten", "twenty", "fifty", "hundred",
    "thousand", "dozen", "twice", "half", "third", "quarter",
];

/// The figures of the generated tables: each ratio and rate as (value, unit) text pairs.
#[derive(Default)]
pub struct Figures(HashSet<(String, Unit)>);

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// `1.43×`
    Ratio,
    /// `102 ms`, `463 ns`: a measured time (the unit is kept in the value).
    Duration,
    /// `2.20 M/s`, `2.20 M` (op/s columns), `684 k/s`: the multiplier letter is kept in the
    /// value (`2.20M`).
    Rate,
}

impl Figures {
    /// Adds every figure of a generated file's text.
    pub fn add(&mut self, text: &str) {
        for (value, unit) in figures_in(text, true) {
            self.0.insert((value, unit));
        }
    }

    /// Whether `value` (as the prose wrote it) is a figure of the tables, exactly or rounded to
    /// the prose's digits.
    fn contains(&self, value: &str, unit: Unit) -> bool {
        if self.0.contains(&(value.to_string(), unit)) {
            return true;
        }
        let (number, suffix) = split_suffix(value);
        let Ok(wanted) = number.replace(',', "").parse::<f64>() else {
            return false;
        };
        let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
        self.0.iter().any(|(candidate, u)| {
            let (n, s) = split_suffix(candidate);
            *u == unit
                && s == suffix
                && n.replace(',', "")
                    .parse::<f64>()
                    .is_ok_and(|v| round(v, decimals) == round(wanted, decimals))
        })
    }
}

fn round(value: f64, decimals: usize) -> i64 {
    (value * 10f64.powi(decimals as i32)).round() as i64
}

/// `("2.20", "M")` from `2.20M`.
fn split_suffix(value: &str) -> (&str, &str) {
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(value.len());
    value.split_at(end)
}

/// The problems in one line of prose, given the tables' figures. Durations count only in a
/// sentence that names a benchmark row (`names_a_row`): elsewhere "10 ms" is a setting.
pub fn check_line(line: &str, tables: &[&Figures], names_a_row: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for (value, unit) in figures_in(line, false) {
        if unit == Unit::Duration && !names_a_row {
            continue;
        }
        if !tables.iter().any(|figures| figures.contains(&value, unit)) {
            let shown = match unit {
                Unit::Ratio => format!("{value}×"),
                Unit::Rate => format!("{value}/s"),
                Unit::Duration => value.clone(),
            };
            problems.push(format!(
                "the prose says {shown}, which no generated table on this page shows: quote \
                 the table's figure (re-running a benchmark changes it)"
            ));
        }
    }
    if let Some(words) = multiple_in_words(line)
        && !words.starts_with(|c: char| c.is_ascii_digit())
    {
        problems.push(format!(
            "\"{words}\" states a measured multiple in words, which drifts when the table is \
             re-run: give the generated table's figure instead"
        ));
    }
    problems
}

/// The ratios and rates in a text. In a table (`table` true) a bare `2.20 M` or `610 k` cell is
/// a rate; in prose a rate needs its `/s`.
fn figures_in(text: &str, table: bool) -> Vec<(String, Unit)> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'));
        if !starts_number {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len()
            && (bytes[end].is_ascii_digit()
                || ((bytes[end] == b'.' || bytes[end] == b',')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)))
        {
            end += 1;
        }
        let number = &text[i..end];
        let rest = &text[end..];
        let spaced = rest.trim_start_matches(' ');
        let times = spaced
            .strip_prefix("times")
            .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()));
        if rest.starts_with('×')
            || (rest.starts_with('x') && !rest[1..].starts_with(|c: char| c.is_alphanumeric()))
            || (!table && times)
        {
            found.push((number.to_string(), Unit::Ratio));
        } else if let Some(letter) = ["M", "k", "K"].into_iter().find(|l| spaced.starts_with(l)) {
            let after = &spaced[letter.len()..];
            let is_rate = after.starts_with("/s")
                || after.starts_with(" op/s")
                || after.starts_with(" ops/s")
                || (table && after.trim_start().starts_with('|'));
            if is_rate {
                found.push((format!("{number}{}", letter.to_uppercase()), Unit::Rate));
            }
        } else if let Some(unit) = ["ns", "µs", "us", "ms", "s"].into_iter().find(|u| {
            spaced
                .strip_prefix(u)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric()))
        }) && spaced.len() < rest.len()
        {
            // Only "102 ms", with its space: "10ms" is a setting's name.
            let unit = if unit == "us" { "µs" } else { unit };
            found.push((format!("{number}{unit}"), Unit::Duration));
        }
        i = end.max(i + 1);
    }
    found
}

/// The first multiple-in-words phrase of a line ("a hundred times", "twice as"), if any. A
/// multiple in digits ("1.4 times") is a ratio, checked as one.
fn multiple_in_words(line: &str) -> Option<String> {
    let words: Vec<String> = line
        .split(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let pairs = words.windows(2).find_map(|pair| {
        let (number, next) = (&pair[0], &pair[1]);
        let multiple = MULTIPLE_WORDS.contains(&number.as_str()) || number == "few";
        let states = match number.as_str() {
            "twice" | "half" | "third" | "quarter" => next == "as",
            _ => next == "times",
        };
        (multiple && states).then(|| format!("{number} {next}"))
    });
    let verbs = || {
        words
            .iter()
            .find(|w| MULTIPLE_VERBS.contains(&w.as_str()))
            .cloned()
    };
    let fractions = || {
        words.iter().enumerate().find_map(|(i, word)| {
            let fraction = FRACTION_WORDS.contains(&word.as_str());
            let of_what = words[i + 1..]
                .iter()
                .take(5)
                .find(|w| MEASURED_WORDS.contains(&w.as_str()))?;
            fraction.then(|| format!("{word} … {of_what}"))
        })
    };
    pairs.or_else(verbs).or_else(fractions)
}

#[cfg(test)]
mod tests {
    use super::{Figures, check_line};

    const TABLE: &str = "| `seq-put/wal-always/1-thread` | 120 µs | 8.35 k/s | 1.00× |\n\
                         | `seq-put/wal-always/4-thread` | 40.7 µs | 24.6 k/s | 2.94× |\n\
                         | write `seq` | 5,000 | 610 k | 1.90 M | 3.12× | ≥ 1×: met |\n";

    fn problems(line: &str) -> Vec<String> {
        let mut figures = Figures::default();
        figures.add(TABLE);
        check_line(line, &[&figures], line.contains("row"))
    }

    #[test]
    fn figures_from_the_tables_pass() {
        for line in [
            "four threads reach 2.94× one thread's rate, 3.1 times bbolt's",
            "about 3× (rounded)",
            "a write takes 8.35 k/s, Go's 610 k op/s, ours 1.90 M/s",
            "every 64 KiB, with 10 ms between syncs and 100,000 keys",
            "the target is the ratio column",
            "more than half of its bytes are dead, a tenth of a second per file",
            "a put takes 40.7 µs, 120 µs alone, 41 µs rounded: the row",
        ] {
            assert_eq!(problems(line), Vec::<String>::new(), "{line}");
        }
    }

    #[test]
    fn figures_not_in_the_tables_are_reported() {
        for (line, expected) in [
            ("four threads reach 2.8× one", "says 2.8×"),
            ("it ran at 391x the rate", "says 391×"),
            ("a get runs at 2.2 M/s", "says 2.2M/s"),
            ("about a hundred times higher", "\"hundred times\""),
            ("more than twice as fast", "\"twice as\""),
            ("a third as long", "\"third as\""),
            (
                "opening became a twentieth faster",
                "\"twentieth … faster\"",
            ),
            ("it ran at a third of db-rs's speed", "\"third … speed\""),
            ("four threads double the rate", "\"double\""),
            ("takes a few times as long", "\"few times\""),
            ("takes 35 times as much", "says 35×"),
            ("about 1.4 times the data", "says 1.4×"),
            ("a pause of 102 ms per merge (the row)", "says 102ms"),
        ] {
            let found = problems(line);
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{line}: {found:?}"
            );
        }
    }
}
