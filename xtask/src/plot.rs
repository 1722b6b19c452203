//! Bar charts of the generated tables, as SVG.
//!
//! `cargo xtask plots` reads every generated table in `book/src/generated/` and writes a
//! chart beside it (`x.md` → `x.svg`), so a plot can never show other figures than its table:
//! it is drawn from the table's own cells. The generators run it after writing a table.
//!
//! The SVG is written by hand, deterministically (the same table gives the same bytes, which a
//! snapshot test pins), with a generic `sans-serif` font and no scripts, styles from outside or
//! embedded fonts. Rows are horizontal bars, one colour per series, grouped under the table's
//! groups; the scale is logarithmic when the values span more than a factor of 100.

use std::fmt::Write as _;
use std::path::Path;

use crate::Result;
use crate::figures::si;
use crate::workspace;

/// One chart: the series (the table's figure columns) and the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// What the values measure, for the axis: `op/s`.
    pub unit: String,
    /// The series' names, in column order.
    pub series: Vec<String>,
    /// The rows, in table order.
    pub rows: Vec<Row>,
}

/// One labelled row: a value (or a gap) per series, and the group it starts, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// A heading drawn above this row (the first row of a group).
    pub group: Option<String>,
    /// The row's label.
    pub label: String,
    /// One value per series.
    pub values: Vec<Option<f64>>,
}

/// The colours of the series, in order (the book's figures' palette).
const COLOURS: [&str; 4] = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1"];

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 300.0;
const VALUE_WIDTH: f64 = 70.0;
const BAR_HEIGHT: f64 = 12.0;
const ROW_GAP: f64 = 4.0;
const GROUP_HEADING: f64 = 20.0;
const TOP: f64 = 34.0;

/// The chart as SVG text.
pub fn svg(chart: &Chart) -> String {
    let values: Vec<f64> = chart
        .rows
        .iter()
        .flat_map(|r| r.values.iter().flatten().copied())
        .filter(|v| *v > 0.0)
        .collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let log = max > 0.0 && min.is_finite() && max / min > 100.0;
    let plot_width = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20.0;
    let scale = |v: f64| -> f64 {
        if v <= 0.0 || max <= 0.0 {
            0.0
        } else if log {
            // From a decade below the smallest value, so the smallest bar shows.
            let floor = (min.log10().floor() - 1.0).max(0.0);
            let span = max.log10() - floor;
            ((v.log10() - floor) / span).clamp(0.0, 1.0) * plot_width
        } else {
            v / max * plot_width
        }
    };

    let series = chart.series.len().max(1);
    let row_height = BAR_HEIGHT * series as f64 + ROW_GAP * 2.0;
    let mut body = String::new();
    let mut y = TOP;
    for row in &chart.rows {
        if let Some(group) = &row.group {
            y += 6.0;
            let _ = writeln!(
                body,
                r#"<text x="8" y="{}" font-weight="bold">{}</text>"#,
                fmt(y + 12.0),
                escape(group)
            );
            y += GROUP_HEADING;
        }
        let _ = writeln!(
            body,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            fmt(LABEL_WIDTH - 8.0),
            fmt(y + row_height / 2.0 + 4.0),
            escape(&row.label)
        );
        for (i, value) in row.values.iter().enumerate() {
            let top = y + ROW_GAP + BAR_HEIGHT * i as f64;
            let colour = COLOURS[i % COLOURS.len()];
            match value {
                Some(v) => {
                    let w = scale(*v).max(1.0);
                    let _ = writeln!(
                        body,
                        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{colour}"/>"#,
                        fmt(LABEL_WIDTH),
                        fmt(top),
                        fmt(w),
                        fmt(BAR_HEIGHT - 2.0)
                    );
                    let _ = writeln!(
                        body,
                        r#"<text x="{}" y="{}" font-size="10">{}</text>"#,
                        fmt(LABEL_WIDTH + w + 4.0),
                        fmt(top + BAR_HEIGHT - 3.0),
                        si(*v)
                    );
                }
                None => {
                    let _ = writeln!(
                        body,
                        r##"<text x="{}" y="{}" font-size="10" fill="#777">—</text>"##,
                        fmt(LABEL_WIDTH + 2.0),
                        fmt(top + BAR_HEIGHT - 3.0)
                    );
                }
            }
        }
        y += row_height;
    }
    let height = y + 16.0;

    let mut legend = String::new();
    let mut x = LABEL_WIDTH;
    for (i, name) in chart.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let _ = writeln!(
            legend,
            r#"<rect x="{}" y="10" width="10" height="10" fill="{colour}"/><text x="{}" y="19">{}</text>"#,
            fmt(x),
            fmt(x + 14.0),
            escape(name)
        );
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
    let scale_note = if log { "log scale" } else { "linear scale" };
    let title = format!(
        "{} ({}, {scale_note}), one bar per figure of the table above",
        chart.series.join(" and "),
        chart.unit
    );

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" font-family="sans-serif" font-size="12">"#,
        fmt(WIDTH),
        fmt(height),
        fmt(WIDTH),
        fmt(height)
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff" rx="6"/>"##
    );
    let _ = writeln!(
        out,
        r##"<text x="8" y="19" fill="#555">{} ({scale_note})</text>"##,
        escape(&chart.unit)
    );
    out.push_str(&legend);
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}

/// A coordinate with one decimal, so output is the same on every machine.
fn fmt(v: f64) -> String {
    format!("{v:.1}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "")
}

/// How to read one generated table: which columns label a row, and which are series.
struct Layout {
    /// The file name in `book/src/generated/`.
    file: &'static str,
    /// Columns joined to make a row's label.
    label: &'static [usize],
    /// (column, series name) of each series.
    series: &'static [(usize, &'static str)],
}

/// The tables that are plotted. A `*-bench.md` table of `cargo xtask bench-report` is plotted
/// by its throughput column; the comparisons by both sides' columns.
const LAYOUTS: [Layout; 4] = [
    Layout {
        file: "strata-bptree-vs-bbolt.md",
        label: &[0, 1],
        series: &[(2, "Go bbolt 1.3.6"), (3, "strata-bptree")],
    },
    Layout {
        file: "strata-schema-vs-dbrs.md",
        label: &[0],
        series: &[(1, "db-rs 0.3"), (2, "strata-schema, Never")],
    },
    Layout {
        file: "serve-bench.md",
        label: &[0, 1, 2],
        series: &[
            (3, "SET strata"),
            (4, "SET redis"),
            (6, "GET strata"),
            (7, "GET redis"),
        ],
    },
    Layout {
        file: "*-bench.md",
        label: &[0],
        series: &[(2, "throughput")],
    },
];

/// Reads a generated Markdown table into a chart, by its layout. Each table of a file
/// (separated by a blank line) is a group, named by its first header cell when there are
/// several.
fn chart_of(markdown: &str, layout: &Layout) -> Chart {
    let mut rows = Vec::new();
    let mut heading: Option<String> = None;
    let mut tables = 0;
    for line in markdown.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if cells
            .iter()
            .all(|c| c.starts_with("---") || c.starts_with(":--") || c.ends_with("--:"))
        {
            continue;
        }
        let is_header = !rows_started(&cells, layout);
        if is_header {
            tables += 1;
            heading = cells
                .first()
                .map(|c| c.replace('`', "").replace(" benchmark", ""));
            continue;
        }
        let label = layout
            .label
            .iter()
            .filter_map(|&i| cells.get(i))
            .map(|c| c.replace('`', ""))
            .collect::<Vec<_>>()
            .join(" ");
        let values = layout
            .series
            .iter()
            .map(|&(i, _)| cells.get(i).and_then(|c| number(c)))
            .collect();
        rows.push(Row {
            group: heading.take(),
            label,
            values,
        });
    }
    if tables <= 1 {
        for row in &mut rows {
            row.group = None;
        }
    }
    Chart {
        unit: "op/s".to_string(),
        series: layout.series.iter().map(|(_, n)| n.to_string()).collect(),
        rows,
    }
}

/// Whether a table line is a data row: its first series column holds a number.
fn rows_started(cells: &[&str], layout: &Layout) -> bool {
    layout
        .series
        .first()
        .and_then(|&(i, _)| cells.get(i))
        .is_some_and(|c| number(c).is_some())
}

/// `2.16 M/s`, `610 k`, `41649`, `1.90 M` as a number; anything else is no number.
fn number(cell: &str) -> Option<f64> {
    let cell = cell.trim().trim_end_matches("/s").trim();
    let (digits, multiplier) = match cell.rsplit_once(' ') {
        Some((d, "k")) => (d, 1e3),
        Some((d, "M")) => (d, 1e6),
        Some((d, "G")) => (d, 1e9),
        Some(_) => return None,
        None => (cell, 1.0),
    };
    let value: f64 = digits.replace(',', "").parse().ok()?;
    Some(value * multiplier)
}

/// `cargo xtask plots`: a chart beside every generated table that has a layout.
pub fn run(root: &Path) -> Result<()> {
    let dir = root.join("book/src/generated");
    let mut written = 0;
    for file in workspace::files_with_extension(&dir, "md")? {
        if plot_table(root, &file)? {
            written += 1;
        }
    }
    println!("plots: {written} charts");
    Ok(())
}

/// Writes the chart of one generated table beside it (`x.md` → `x.svg`), if it has a layout;
/// returns whether it did. The generators call this after writing a table.
pub fn plot_table(root: &Path, table: &Path) -> Result<bool> {
    let Some(chart) = expected(table)? else {
        return Ok(false);
    };
    let out = table.with_extension("svg");
    std::fs::write(&out, chart)?;
    println!("wrote {}", workspace::relative(root, &out));
    Ok(true)
}

/// The SVG a generated table's chart must hold, or `None` for a table that is not plotted.
/// `cargo xtask book --check` compares it with the file, so a stale chart is caught.
pub fn expected(table: &Path) -> Result<Option<String>> {
    let name = table
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(layout) = LAYOUTS
        .iter()
        .find(|l| l.file == name || (l.file == "*-bench.md" && name.ends_with("-bench.md")))
    else {
        return Ok(None);
    };
    let chart = chart_of(&workspace::read(table)?, layout);
    if chart.rows.is_empty() {
        return Err(format!("{name}: no rows to plot").into());
    }
    Ok(Some(svg(&chart)))
}

#[cfg(test)]
mod tests {
    use super::{Chart, LAYOUTS, Row, chart_of, number, svg};

    const TABLE: &str = "<!-- Generated -->\n\
| `rnd-get` benchmark | median time | throughput | vs. first in group |\n\
|---|---:|---:|---:|\n\
| `rnd-get/bitcask-borrowed/100000` | 463 ns | 2.16 M/s | 1.00× |\n\
| `rnd-get/bitcask/100000` | 519 ns | 1.93 M/s | 0.89× |\n\
\n\
| `merge` benchmark | median time | throughput | vs. first in group |\n\
|---|---:|---:|---:|\n\
| `merge/bitcask/100000` | 147 ms | 680 k/s | — |\n";

    #[test]
    fn reads_a_tables_figures() {
        assert_eq!(number("2.16 M/s"), Some(2.16e6));
        assert_eq!(number("610 k"), Some(610e3));
        assert_eq!(number("41,649"), Some(41649.0));
        assert_eq!(number("0.89×"), None);
        let layout = LAYOUTS.iter().find(|l| l.file == "*-bench.md").unwrap();
        let chart = chart_of(TABLE, layout);
        assert_eq!(
            chart.rows,
            vec![
                Row {
                    group: Some("rnd-get".into()),
                    label: "rnd-get/bitcask-borrowed/100000".into(),
                    values: vec![Some(2.16e6)],
                },
                Row {
                    group: None,
                    label: "rnd-get/bitcask/100000".into(),
                    values: vec![Some(1.93e6)],
                },
                Row {
                    group: Some("merge".into()),
                    label: "merge/bitcask/100000".into(),
                    values: vec![Some(680e3)],
                },
            ]
        );
    }

    #[test]
    fn the_svg_is_pinned() {
        let chart = Chart {
            unit: "op/s".into(),
            series: vec!["Go bbolt".into(), "strata".into()],
            rows: vec![
                Row {
                    group: Some("writes".into()),
                    label: "write seq 5,000".into(),
                    values: vec![Some(610e3), Some(1.9e6)],
                },
                Row {
                    group: None,
                    label: "write rnd <big>".into(),
                    values: vec![Some(1e3), None],
                },
            ],
        };
        insta::assert_snapshot!("plot", svg(&chart));
    }
}
