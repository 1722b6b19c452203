use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
#[schema(path = "strata_schema")]
struct App {
    files: LookupTable<u64, String>,
}

fn main() {}
