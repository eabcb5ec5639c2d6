//! Dependency ordering of resources with petgraph: topological order for
//! planning and applying, and the members of a cycle when there is one.

use crate::model::Address;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

/// A dependency graph over resource addresses; an edge `a -> b` means `b`
/// must wait for `a`.
pub struct DepGraph {
    graph: DiGraph<Address, ()>,
    index: BTreeMap<Address, NodeIndex>,
}

impl DepGraph {
    /// `deps(x)` lists what `x` depends on; dependencies outside `nodes`
    /// are ignored (they are not part of this walk).
    pub fn new<'a>(
        nodes: impl IntoIterator<Item = &'a Address>,
        deps: impl Fn(&Address) -> Vec<Address>,
    ) -> Self {
        let mut graph = DiGraph::new();
        let mut index = BTreeMap::new();
        for n in nodes {
            index
                .entry(n.clone())
                .or_insert_with(|| graph.add_node(n.clone()));
        }
        let pairs: Vec<(NodeIndex, NodeIndex)> = index
            .iter()
            .flat_map(|(addr, &to)| {
                deps(addr)
                    .into_iter()
                    .filter_map(|d| index.get(&d).map(|&from| (from, to)))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (from, to) in pairs {
            graph.update_edge(from, to, ());
        }
        DepGraph { graph, index }
    }

    /// Reverse every edge (destroy order: dependants go first).
    pub fn reversed(mut self) -> Self {
        self.graph.reverse();
        self
    }

    /// Addresses in an order where every node comes after what it waits for;
    /// ties broken by address. `Err` carries one cycle, in order.
    pub fn order(&self) -> Result<Vec<Address>, Vec<Address>> {
        match toposort(&self.graph, None) {
            Ok(order) => Ok(order.into_iter().map(|i| self.graph[i].clone()).collect()),
            Err(_) => Err(self.cycle().unwrap_or_default()),
        }
    }

    fn cycle(&self) -> Option<Vec<Address>> {
        let scc = tarjan_scc(&self.graph)
            .into_iter()
            .find(|c| c.len() > 1 || self.graph.contains_edge(c[0], c[0]))?;
        let mut names: Vec<Address> = scc.iter().map(|&i| self.graph[i].clone()).collect();
        names.sort();
        Some(names)
    }

    /// What `addr` waits for, within the graph.
    pub fn waits_for(&self, addr: &Address) -> Vec<Address> {
        let Some(&i) = self.index.get(addr) else {
            return Vec::new();
        };
        self.graph
            .neighbors_directed(i, petgraph::Direction::Incoming)
            .map(|n| self.graph[n].clone())
            .collect()
    }

    /// What waits for `addr`, within the graph.
    pub fn dependants(&self, addr: &Address) -> Vec<Address> {
        let Some(&i) = self.index.get(addr) else {
            return Vec::new();
        };
        self.graph
            .neighbors_directed(i, petgraph::Direction::Outgoing)
            .map(|n| self.graph[n].clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(n: &str) -> Address {
        Address::new("cdn_domain", n)
    }

    #[test]
    fn orders_dependencies_first() {
        let nodes = [a("web"), a("api"), a("img")];
        let g = DepGraph::new(&nodes, |x| {
            if x.name == "web" {
                vec![a("api"), a("img")]
            } else {
                vec![]
            }
        });
        let order = g.order().unwrap();
        let pos = |n: &str| order.iter().position(|x| x.name == n).unwrap();
        assert!(pos("api") < pos("web") && pos("img") < pos("web"));
        let rev = DepGraph::new(&nodes, |x| {
            if x.name == "web" {
                vec![a("api")]
            } else {
                vec![]
            }
        })
        .reversed()
        .order()
        .unwrap();
        let rpos = |n: &str| rev.iter().position(|x| x.name == n).unwrap();
        assert!(rpos("web") < rpos("api"));
    }

    #[test]
    fn reports_cycle_members() {
        let nodes = [a("x"), a("y"), a("z")];
        let g = DepGraph::new(&nodes, |n| match n.name.as_str() {
            "x" => vec![a("y")],
            "y" => vec![a("x")],
            _ => vec![],
        });
        assert_eq!(g.order().unwrap_err(), vec![a("x"), a("y")]);
    }
}
