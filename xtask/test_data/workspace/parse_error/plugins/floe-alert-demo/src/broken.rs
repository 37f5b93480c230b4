//! A file that does not parse: the audit cannot read it, so it cannot pass.

pub(crate) fn broken( {
    let x = ;
}
