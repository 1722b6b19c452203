use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
struct App {
    files: LookupTable<u64, String>,
    count: u64,
}

fn main() {}
