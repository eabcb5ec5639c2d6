//! Cycle detection among locals and among resources: each cycle is
//! reported once, as the path `a -> b -> a`.

use std::collections::{BTreeMap, BTreeSet};

/// Every elementary cycle found by a depth-first walk, each as the list of
/// nodes with the first repeated at the end. Cycles over the same set of
/// nodes are reported once.
pub fn find_cycles(graph: &BTreeMap<String, Vec<String>>) -> Vec<Vec<String>> {
    let mut done = BTreeSet::new();
    let mut seen_sets = BTreeSet::new();
    let mut out = Vec::new();
    for start in graph.keys() {
        let mut stack = Vec::new();
        dfs(
            graph,
            start,
            &mut stack,
            &mut done,
            &mut seen_sets,
            &mut out,
        );
    }
    out
}

fn dfs(
    graph: &BTreeMap<String, Vec<String>>,
    node: &str,
    stack: &mut Vec<String>,
    done: &mut BTreeSet<String>,
    seen_sets: &mut BTreeSet<Vec<String>>,
    out: &mut Vec<Vec<String>>,
) {
    if let Some(i) = stack.iter().position(|n| n == node) {
        let mut cycle: Vec<String> = stack[i..].to_vec();
        let mut key = cycle.clone();
        key.sort();
        if seen_sets.insert(key) {
            cycle.push(node.to_string());
            out.push(cycle);
        }
        return;
    }
    if done.contains(node) {
        return;
    }
    stack.push(node.to_string());
    for next in graph.get(node).into_iter().flatten() {
        dfs(graph, next, stack, done, seen_sets, out);
    }
    stack.pop();
    done.insert(node.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_cycle_once() {
        let g: BTreeMap<String, Vec<String>> = [
            ("a", vec!["b"]),
            ("b", vec!["a", "c"]),
            ("c", vec![]),
            ("d", vec!["d"]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
        assert_eq!(find_cycles(&g), vec![vec!["a", "b", "a"], vec!["d", "d"]]);
    }
}
