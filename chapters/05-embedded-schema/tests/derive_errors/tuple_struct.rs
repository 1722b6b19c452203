use strata_schema::{Schema, Single};

#[derive(Schema)]
struct App(Single<String>);

fn main() {}
