use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
struct App {
    files: LookupTable<u64, String>,
    #[table(name = "files")]
    documents: LookupTable<u64, String>,
}

fn main() {}
