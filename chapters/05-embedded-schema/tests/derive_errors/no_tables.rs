use strata_schema::Schema;

#[derive(Schema)]
struct App {}

fn main() {}
