//! Just enough Markdown for the book check: which lines are prose and which are inside fenced
//! code blocks, and the inline code spans of a prose line.
//!
//! Deliberate simplifications, fine for a book we write ourselves: a fence may be indented by
//! any amount (so fences inside list items are found), and a code span must open and close on
//! the same line.

/// A fenced code block (```` ``` ```` or `~~~`).
#[derive(Debug, PartialEq, Eq)]
pub struct CodeBlock<'a> {
    /// 1-based line number of the opening fence.
    pub line: usize,
    /// The language: the info string's first word (`rust` in ```` ```rust,ignore ````).
    pub language: &'a str,
    /// The lines between the fences, with their 1-based line numbers.
    pub body: Vec<(usize, &'a str)>,
    /// Whether a closing fence was found; an unclosed block swallows the rest of the file.
    pub closed: bool,
}

/// A Markdown file split into prose lines and fenced code blocks.
#[derive(Debug, Default)]
pub struct Document<'a> {
    /// Lines outside code blocks, with their 1-based line numbers.
    pub prose: Vec<(usize, &'a str)>,
    /// The fenced code blocks, in order.
    pub blocks: Vec<CodeBlock<'a>>,
}

/// An opening or closing fence: its character and length.
struct Fence<'a> {
    marker: char,
    len: usize,
    info: &'a str,
}

fn fence(line: &str) -> Option<Fence<'_>> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    let info = trimmed[len..].trim();
    // CommonMark: a backtick fence's info string may not contain backticks (that line is an
    // inline code span instead, e.g. ```` ```x``` ````).
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some(Fence { marker, len, info })
}

/// Splits a Markdown text into prose lines and fenced code blocks.
pub fn parse(text: &str) -> Document<'_> {
    let mut document = Document::default();
    let mut open: Option<(Fence<'_>, CodeBlock<'_>)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        match open.take() {
            None => match fence(line) {
                Some(f) => {
                    let language = f
                        .info
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .next()
                        .unwrap_or("");
                    let block = CodeBlock {
                        line: number,
                        language,
                        body: Vec::new(),
                        closed: false,
                    };
                    open = Some((f, block));
                }
                None => document.prose.push((number, line)),
            },
            Some((opening, mut block)) => {
                let closes = fence(line).is_some_and(|f| {
                    f.marker == opening.marker && f.len >= opening.len && f.info.is_empty()
                });
                if closes {
                    block.closed = true;
                    document.blocks.push(block);
                } else {
                    block.body.push((number, line));
                    open = Some((opening, block));
                }
            }
        }
    }
    if let Some((_, block)) = open {
        document.blocks.push(block);
    }
    document
}

/// The contents of the inline code spans on one prose line, in order, untrimmed.
///
/// A run of N backticks opens a span that the next run of exactly N backticks closes; a run
/// with no partner is literal text, as is a backslash-escaped backtick outside a span.
pub fn code_spans(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => {
                let run = run_length(bytes, i);
                let start = i + run;
                match closing_run(bytes, start, run) {
                    Some(end) => {
                        spans.push(&line[start..end]);
                        i = end + run;
                    }
                    None => i = start,
                }
            }
            _ => i += 1,
        }
    }
    spans
}

fn run_length(bytes: &[u8], start: usize) -> usize {
    bytes[start..].iter().take_while(|b| **b == b'`').count()
}

/// The start of the next backtick run of exactly `len` at or after `from`.
fn closing_run(bytes: &[u8], from: usize, len: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = run_length(bytes, i);
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{code_spans, parse};

    #[test]
    fn separates_prose_from_fenced_blocks() {
        let text = "Intro `a`.\n\n```rust,ignore\nlet x = 1;\n```\nAfter.\n~~~\n```\n~~~\n";
        let doc = parse(text);
        let prose: Vec<usize> = doc.prose.iter().map(|(n, _)| *n).collect();
        assert_eq!(prose, vec![1, 2, 6]);
        assert_eq!(doc.blocks.len(), 2);
        assert_eq!(doc.blocks[0].language, "rust");
        assert_eq!(doc.blocks[0].line, 3);
        assert_eq!(doc.blocks[0].body, vec![(4, "let x = 1;")]);
        // A backtick fence inside a tilde block does not close it.
        assert_eq!(doc.blocks[1].language, "");
        assert_eq!(doc.blocks[1].body, vec![(8, "```")]);
        assert!(doc.blocks.iter().all(|b| b.closed));
    }

    #[test]
    fn a_longer_fence_needs_a_closing_fence_at_least_as_long() {
        let doc = parse("````text\n```\n````\n");
        assert_eq!(doc.blocks.len(), 1);
        assert_eq!(doc.blocks[0].body, vec![(2, "```")]);
    }

    #[test]
    fn indented_fences_in_list_items_count() {
        let doc = parse("1. Step:\n\n   ```console\n   $ cargo test\n   ```\n");
        assert_eq!(doc.blocks.len(), 1);
        assert_eq!(doc.blocks[0].language, "console");
        assert!(doc.blocks[0].closed);
    }

    #[test]
    fn an_unclosed_fence_runs_to_the_end() {
        let doc = parse("```rust\nfn main() {}\n");
        assert_eq!(doc.blocks.len(), 1);
        assert!(!doc.blocks[0].closed);
        assert!(doc.prose.is_empty());
    }

    #[test]
    fn finds_inline_code_spans() {
        assert_eq!(
            code_spans("Call `Store::open()` then `put` and `get`."),
            vec!["Store::open()", "put", "get"]
        );
        assert_eq!(code_spans("Double ``a ` b`` spans."), vec!["a ` b"]);
        assert_eq!(code_spans("no spans here"), Vec::<&str>::new());
    }

    #[test]
    fn unmatched_and_escaped_backticks_are_text() {
        assert_eq!(code_spans("a ` lone backtick"), Vec::<&str>::new());
        assert_eq!(code_spans(r"escaped \`not code\` here"), Vec::<&str>::new());
        assert_eq!(code_spans("``` `x` ``` and `y`"), vec![" `x` ", "y"]);
    }
}
