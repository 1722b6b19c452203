use strata_schema::{List, Schema};

#[derive(Schema)]
struct App<T> {
    events: List<T>,
}

fn main() {}
