//! The server's request parser (`strata::server::resp`), on any bytes a
//! client could send: it never panics; a command it finds took bytes that
//! were there; the same words, framed as a RESP array, parse back to
//! themselves; and no prefix of a whole command is a command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata::server::resp::{Limits, Parsed, parse, split_words};

fuzz_target!(|bytes: &[u8]| {
    let limits = Limits {
        max_bulk: 1 << 12,
        max_args: 64,
        max_inline: 1 << 12,
    };
    let _ = split_words(bytes);
    let mut rest = bytes;
    while let Parsed::Command { args, len } = parse(rest, &limits) {
        assert!(
            len > 0 && len <= rest.len(),
            "took {len} of {} bytes",
            rest.len()
        );
        for cut in [0, len / 2, len - 1] {
            let prefix = parse(&rest[..cut], &limits);
            assert!(
                !matches!(prefix, Parsed::Command { .. }),
                "a prefix parsed as a command"
            );
        }
        if !args.is_empty() {
            let mut framed = format!("*{}\r\n", args.len()).into_bytes();
            for arg in &args {
                framed.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
                framed.extend_from_slice(arg);
                framed.extend_from_slice(b"\r\n");
            }
            assert_eq!(
                parse(&framed, &limits),
                Parsed::Command {
                    args: args.clone(),
                    len: framed.len()
                }
            );
        }
        rest = &rest[len..];
    }
});
