use strata_schema::{LookupTable, Schema};

#[derive(Schema)]
struct App {
    #[table(name = "files")]
    old_files: LookupTable<u64, String>,
    #[table(name = "files")]
    new_files: LookupTable<u64, String>,
}

fn main() {}
