// A plain comment is not the module's documentation.
/// Nor is an item's doc comment.
pub(crate) struct Config;
