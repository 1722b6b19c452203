use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
struct App {
    #[table(rename = "documents")]
    files: LookupTable<u64, String>,
}

fn main() {}
