//! `raftsim`: run scenarios, fuzz fault schedules and benchmark the simulator natively.

fn main() {
    eprintln!("usage: raftsim run FILE.json [--trace] | check ... | bench");
    std::process::exit(2);
}
