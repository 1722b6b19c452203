use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
struct App {
    #[table(name = "")]
    files: LookupTable<u64, String>,
}

fn main() {}
