use strata_schema::{Schema, Single};

#[derive(Schema)]
enum App {
    Settings(Single<String>),
}

fn main() {}
