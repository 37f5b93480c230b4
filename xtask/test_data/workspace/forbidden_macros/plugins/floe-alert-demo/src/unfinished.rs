//! Left-overs tidy rejects; mentions in comments and strings are fine: dbg!(x), todo!().

pub(crate) fn unfinished(x: u32) -> u32 {
    let y = dbg!(x + 1);
    let _ = "todo!() in a string";
    if y > 3 { todo!("the rest") } else { y }
}
