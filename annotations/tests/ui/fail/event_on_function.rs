use flowdoc_annotations::event;

#[event]
fn order_placed() {}

fn main() {}
