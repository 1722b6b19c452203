//! `cargo xtask book`: serve the book, or (`--check`) build it and verify it.

use std::path::Path;
use std::process::Command;

use crate::{Result, book_check, process, tools};

/// What `cargo xtask book` was asked to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Options {
    /// Serve the book on a local port, optionally opening a browser.
    Serve {
        /// The HTTP port on localhost.
        port: u16,
        /// Whether to ask mdBook to open the book in a browser.
        open: bool,
    },
    /// Build the book and check its includes, names and listings.
    Check,
}

impl Options {
    /// Parses the arguments after `book`.
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut port = 3000;
        let mut open = false;
        let mut check = false;
        let mut serve_flags = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--check" => check = true,
                "--open" => {
                    open = true;
                    serve_flags = true;
                }
                "--port" => {
                    let value = args.next().ok_or("`--port` needs a number")?;
                    port = value
                        .parse()
                        .map_err(|_| format!("`--port {value}`: not a port number"))?;
                    serve_flags = true;
                }
                other => return Err(format!("`book`: unknown option `{other}`").into()),
            }
        }
        if check && serve_flags {
            return Err("`book --check` builds the book without serving it; \
                        it takes no `--port` or `--open`"
                .into());
        }
        Ok(if check {
            Options::Check
        } else {
            Options::Serve { port, open }
        })
    }
}

/// Runs `cargo xtask book` with the given options.
pub fn run(root: &Path, options: Options) -> Result<()> {
    match options {
        Options::Serve { port, open } => serve(root, port, open),
        Options::Check => check(root),
    }
}

fn serve(root: &Path, port: u16, open: bool) -> Result<()> {
    let mdbook = tools::mdbook(root)?;
    println!();
    println!("    The book is at  http://localhost:{port}");
    println!("    (it rebuilds when you save a chapter or the code; Ctrl-C stops it)");
    println!();
    let mut serve = Command::new(mdbook);
    serve
        .args(["serve", "book", "--port", &port.to_string()])
        .current_dir(root);
    if open {
        serve.arg("--open");
    }
    process::run_until_interrupted(&mut serve)?;
    println!("Stopped serving the book.");
    Ok(())
}

fn check(root: &Path) -> Result<()> {
    // The static checks come first: they are instant and their messages are precise, while
    // mdBook may still need installing.
    let report = book_check::check(root)?;
    for problem in &report.problems {
        println!("{problem}");
    }
    println!(
        "book: checked {} pages: {} includes, {} Rust names in the prose, {} links between \
         pages; {} skeleton files against their references",
        report.pages, report.includes, report.names, report.links, report.skeleton_files
    );

    let mdbook = tools::mdbook(root)?;
    let mut build = Command::new(mdbook);
    build.args(["build", "book"]).current_dir(root);
    let built = process::run(&mut build);

    match (report.problems.len(), built) {
        (0, Ok(())) => {
            println!("book: builds, and every include, anchor, name and listing checks out");
            Ok(())
        }
        (0, Err(error)) => Err(error),
        (n, Ok(())) => Err(format!("book check: {n} problem(s), listed above").into()),
        (n, Err(error)) => Err(format!("book check: {n} problem(s), listed above; {error}").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn parse(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        Options::parse(&args).map_err(|e| e.to_string())
    }

    #[test]
    fn serves_on_port_3000_by_default() {
        assert_eq!(
            parse(&[]),
            Ok(Options::Serve {
                port: 3000,
                open: false
            })
        );
        assert_eq!(
            parse(&["--port", "8080", "--open"]),
            Ok(Options::Serve {
                port: 8080,
                open: true
            })
        );
    }

    #[test]
    fn check_stands_alone() {
        assert_eq!(parse(&["--check"]), Ok(Options::Check));
        assert!(parse(&["--check", "--port", "1"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "http"]).is_err());
        assert!(parse(&["--watch"]).is_err());
    }
}
