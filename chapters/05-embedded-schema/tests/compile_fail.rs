//! What `#[derive(Schema)]` says about a struct it cannot turn into a
//! database: each file in `derive_errors/` must fail to compile with the
//! message in the `.stderr` file beside it. (`TRYBUILD=overwrite cargo test
//! -p strata-schema --test compile_fail` rewrites those files after a change
//! to the messages; read them before committing.)
//!
//! One test for every case, since each case is a build of its own.

#[test]
fn derive_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/derive_errors/*.rs");
}
