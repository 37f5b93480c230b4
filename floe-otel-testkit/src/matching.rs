//! Pairing expectations with distinct spans: a maximum bipartite matching (Kuhn's
//! augmenting paths), so an assignment is found whenever one exists, whatever the order.

/// For each left item `i` (an expectation), the right item (a span) paired with it, given
/// `fits(i, j)`; `None` for a left item no assignment could pair.
pub(crate) fn pair(
    left: usize,
    right: usize,
    fits: impl Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    let edges: Vec<Vec<usize>> =
        (0..left).map(|i| (0..right).filter(|&j| fits(i, j)).collect()).collect();
    let mut owner: Vec<Option<usize>> = vec![None; right];
    for i in 0..left {
        let mut seen = vec![false; right];
        augment(i, &edges, &mut owner, &mut seen);
    }
    let mut paired = vec![None; left];
    for (j, i) in owner.iter().enumerate() {
        if let Some(i) = i {
            paired[*i] = Some(j);
        }
    }
    paired
}

fn augment(i: usize, edges: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &edges[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|other| augment(other, edges, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::pair;

    #[test]
    fn finds_the_assignment_a_greedy_first_fit_misses() {
        // expectation 0 fits spans 0 and 1, expectation 1 fits only span 0
        let fits = |i: usize, j: usize| matches!((i, j), (0, 0 | 1) | (1, 0));
        assert_eq!(pair(2, 2, fits), vec![Some(1), Some(0)]);
    }

    #[test]
    fn two_expectations_fitting_one_span_pair_only_one() {
        let fits = |_: usize, j: usize| j == 0;
        let paired = pair(2, 2, fits);
        assert_eq!(paired.iter().filter(|p| p.is_some()).count(), 1);
    }
}
