//! `cargo xtask bench-report <package>`: turns the results of the package's
//! last `cargo bench` run (criterion's JSON under `target/criterion/`) into a
//! Markdown table the book includes, so no benchmark figure is typed by hand.
//!
//! The groups reported are the ones the package's `benches/*.rs` define
//! (`benchmark_group("...")`), in the order they define them. Chapters share
//! workload names (`reopen`, `seq-put`), so within a group only the benchmarks
//! named for this package's engine are reported: `reopen/wal/...` for
//! `strata-wal`, `seq-put/wal-always/...` too. Each row shows
//! the median time per iteration, the throughput, and its ratio to the group's
//! first row, measured in the same run.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Result;
use crate::workspace;
use crate::workspace::target_dir;

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `group/function/parameter`, as criterion names it.
    pub id: String,
    /// Median nanoseconds per iteration.
    pub median_ns: f64,
    /// Elements (operations, records) per iteration, when the bench declares them.
    pub elements: Option<f64>,
}

#[derive(Deserialize)]
struct BenchmarkJson {
    full_id: String,
    throughput: Option<ThroughputJson>,
}

/// Criterion's throughput; byte throughputs are not reported.
#[derive(Deserialize)]
enum ThroughputJson {
    Elements(f64),
    ElementsAndBytes {
        elements: f64,
    },
    // Byte throughputs carry a number too, which `#[serde(other)]` (unit
    // variants only) cannot swallow.
    Bytes(serde::de::IgnoredAny),
    BytesDecimal(serde::de::IgnoredAny),
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct EstimatesJson {
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

/// Writes `book/src/generated/<package>-bench.md` from the last benchmark run.
pub fn run(root: &Path, package: &str) -> Result<()> {
    let dir = package_dir(root, package)?;
    let groups = groups_defined(&dir)?;
    if groups.is_empty() {
        return Err(format!("{package} defines no benchmark groups in benches/").into());
    }
    let criterion = target_dir(root).join("criterion");
    let mut tables = Vec::new();
    for group in &groups {
        let engine = package.strip_prefix("strata-").unwrap_or(package);
        // `strata` compares the engines: its groups (`strata-…`) are its own,
        // and every row in them belongs to it.
        let rows: Vec<Row> = read_group(&criterion.join(group))?
            .into_iter()
            .filter(|row| package == "strata" || belongs_to(&row.id, engine))
            .collect();
        if rows.is_empty() {
            return Err(format!(
                "no results for benchmark group `{group}`: run `cargo bench -p {package}` first"
            )
            .into());
        }
        tables.push((group.clone(), rows));
    }
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let markdown = render(package, cpus, &tables);
    let out = root
        .join("book/src/generated")
        .join(format!("{package}-bench.md"));
    std::fs::create_dir_all(out.parent().unwrap_or(root))?;
    std::fs::write(&out, markdown)?;
    println!("wrote {}", workspace::relative(root, &out));
    crate::plot::plot_table(root, &out)?;
    Ok(())
}

/// The directory of workspace package `package` (under chapters/ or final/).
fn package_dir(root: &Path, package: &str) -> Result<PathBuf> {
    let mut candidates = vec![root.join("final")];
    for parent in ["chapters"] {
        if let Ok(entries) = std::fs::read_dir(root.join(parent)) {
            candidates.extend(entries.flatten().map(|e| e.path()));
        }
    }
    for dir in candidates {
        if workspace::package_in(&dir)?.as_deref() == Some(package) {
            return Ok(dir);
        }
    }
    Err(format!("no package `{package}` under chapters/ or final/").into())
}

/// The benchmark group names `dir/benches/*.rs` define, in order of appearance.
fn groups_defined(dir: &Path) -> Result<Vec<String>> {
    let mut groups = Vec::new();
    for file in workspace::files_with_extension(&dir.join("benches"), "rs")? {
        for name in group_names(&workspace::read(&file)?) {
            if !groups.contains(&name) {
                groups.push(name);
            }
        }
    }
    Ok(groups)
}

/// The string literals passed to `benchmark_group(...)` in `source`.
pub fn group_names(source: &str) -> Vec<String> {
    source
        .split("benchmark_group(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name.to_string()))
        .collect()
}

/// Whether benchmark `id` (`group/function/...`) is named for `engine`.
pub fn belongs_to(id: &str, engine: &str) -> bool {
    let function = id.split('/').nth(1).unwrap_or("");
    function == engine
        || function
            .strip_prefix(engine)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// Every benchmark under a group's directory, in natural order of their ids.
fn read_group(dir: &Path) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for benchmark in workspace::files_with_extension(dir, "json")? {
        let is_new_benchmark = benchmark.file_name().is_some_and(|n| n == "benchmark.json")
            && benchmark.parent().is_some_and(|p| p.ends_with("new"));
        if !is_new_benchmark {
            continue;
        }
        let estimates = benchmark.with_file_name("estimates.json");
        rows.push(parse_row(
            &workspace::read(&benchmark)?,
            &workspace::read(&estimates)?,
        )?);
    }
    rows.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    Ok(rows)
}

/// One row from criterion's `benchmark.json` and `estimates.json`.
pub fn parse_row(benchmark: &str, estimates: &str) -> Result<Row> {
    let benchmark: BenchmarkJson = serde_json::from_str(benchmark)?;
    let estimates: EstimatesJson = serde_json::from_str(estimates)?;
    let elements = match benchmark.throughput {
        Some(ThroughputJson::Elements(n))
        | Some(ThroughputJson::ElementsAndBytes { elements: n }) => Some(n),
        Some(ThroughputJson::Bytes(_) | ThroughputJson::BytesDecimal(_))
        | Some(ThroughputJson::Other)
        | None => None,
    };
    Ok(Row {
        id: benchmark.full_id,
        median_ns: estimates.median.point_estimate,
        elements,
    })
}

/// The Markdown for all groups: one table per group, so that a reader sees where each
/// comparison starts, with the group's name heading its first column. A group of one row has
/// nothing to compare with, so its ratio is a dash rather than a meaningless 1.00×.
pub fn render(package: &str, cpus: usize, tables: &[(String, Vec<Row>)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated by `cargo xtask bench-report {package}`: do not edit. -->"
    );
    for (index, (group, rows)) in tables.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "| `{group}` benchmark | median time | throughput | vs. first in group |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|");
        let base = rows.first().and_then(per_second);
        for row in rows {
            let rate = per_second(row);
            let ratio = match (rate, base) {
                _ if rows.len() == 1 => "—".to_string(),
                (Some(rate), Some(base)) if base > 0.0 => format!("{:.2}×", rate / base),
                _ => "".to_string(),
            };
            let rate = rate.map_or_else(String::new, |r| format!("{}/s", si(r)));
            let _ = writeln!(
                out,
                "| `{}` | {} | {rate} | {ratio} |",
                row.id,
                duration(row.median_ns)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n*One run of `cargo bench -p {package}` on a machine with {cpus} CPUs; your figures will \
         differ, so compare ratios. Regenerate with `cargo xtask bench-report {package}`.*"
    );
    out
}

/// Operations per second, for rows that declare their element count.
fn per_second(row: &Row) -> Option<f64> {
    row.elements.map(|n| n * 1e9 / row.median_ns)
}

/// `2.42 µs`, `1.12 s`: three significant figures.
fn duration(ns: f64) -> String {
    let (value, unit) = match ns {
        n if n >= 1e9 => (n / 1e9, "s"),
        n if n >= 1e6 => (n / 1e6, "ms"),
        n if n >= 1e3 => (n / 1e3, "µs"),
        n => (n, "ns"),
    };
    format!("{} {unit}", sig3(value))
}

/// `415 k`, `1.02 M`: three significant figures with an SI prefix.
fn si(value: f64) -> String {
    let (value, prefix) = match value {
        v if v >= 1e9 => (v / 1e9, " G"),
        v if v >= 1e6 => (v / 1e6, " M"),
        v if v >= 1e3 => (v / 1e3, " k"),
        v => (v, " "),
    };
    format!("{}{prefix}", sig3(value)).trim_end().to_string()
}

fn sig3(value: f64) -> String {
    match value {
        v if v >= 100.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    }
}

/// Compares ids so that embedded numbers sort by value: `reopen/10000` before `reopen/100000`,
/// and `2-thread` before `10-thread`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let key = |s: &str| -> Vec<(String, u64)> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut digits = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                if !digits.is_empty() {
                    parts.push((
                        std::mem::take(&mut text),
                        digits.parse().unwrap_or(u64::MAX),
                    ));
                    digits.clear();
                }
                text.push(c);
            }
        }
        parts.push((text, digits.parse().unwrap_or(0)));
        parts
    };
    key(a).cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_the_literals_passed_to_benchmark_group() {
        let source = r#"let mut g = c.benchmark_group("seq-put"); c.benchmark_group("reopen");"#;
        assert_eq!(group_names(source), ["seq-put", "reopen"]);
    }

    #[test]
    fn rows_come_from_criterion_json() {
        let benchmark = r#"{"group_id":"reopen","function_id":null,"value_str":"1000",
            "throughput":{"Elements":1000},"full_id":"reopen/1000","directory_name":"reopen/1000"}"#;
        let estimates = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,
            "upper_bound":3.0},"point_estimate":2.0,"standard_error":0.1},"median":{"confidence_interval":
            {"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2000000.0,
            "standard_error":0.1}}"#;
        let row = parse_row(benchmark, estimates).unwrap();
        assert_eq!(
            row,
            Row {
                id: "reopen/1000".into(),
                median_ns: 2e6,
                elements: Some(1000.0)
            }
        );
    }

    #[test]
    fn tables_show_time_rate_and_ratio_to_the_first_row() {
        let rows = vec![
            Row {
                id: "seq-put/always/1-thread".into(),
                median_ns: 1e6,
                elements: Some(1.0),
            },
            Row {
                id: "seq-put/always/4-thread".into(),
                median_ns: 5e5,
                elements: Some(1.0),
            },
        ];
        let single = vec![Row {
            id: "rnd-get/wal/100000".into(),
            median_ns: 500.0,
            elements: Some(1.0),
        }];
        let md = render(
            "strata-wal",
            2,
            &[("seq-put".into(), rows), ("rnd-get".into(), single)],
        );
        assert!(md.contains("| `seq-put` benchmark | median time |"), "{md}");
        assert!(
            md.contains("\n\n| `rnd-get` benchmark | median time |"),
            "a table per group: {md}"
        );
        assert!(
            md.contains("| `rnd-get/wal/100000` | 500 ns | 2.00 M/s | — |"),
            "{md}"
        );
        assert!(
            md.contains("| `seq-put/always/1-thread` | 1.00 ms | 1.00 k/s | 1.00× |"),
            "{md}"
        );
        assert!(
            md.contains("| `seq-put/always/4-thread` | 500 µs | 2.00 k/s | 2.00× |"),
            "{md}"
        );
        assert!(md.contains("2 CPUs"));
    }

    #[test]
    fn only_the_engines_own_benchmarks_belong_to_it() {
        assert!(belongs_to("reopen/wal/1000", "wal"));
        assert!(belongs_to("seq-put/wal-always/1-thread", "wal"));
        assert!(!belongs_to("reopen/flat-file/1000", "wal"));
        assert!(!belongs_to("reopen/walrus/1000", "wal"));
        assert!(belongs_to("reopen/flat-file/1000", "flat-file"));
    }

    #[test]
    fn ids_sort_by_the_value_of_their_numbers() {
        let mut ids = vec![
            "reopen/1000000",
            "reopen/10000",
            "reopen/100000",
            "x/10-thread",
            "x/2-thread",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "reopen/10000",
                "reopen/100000",
                "reopen/1000000",
                "x/2-thread",
                "x/10-thread"
            ]
        );
    }
}
