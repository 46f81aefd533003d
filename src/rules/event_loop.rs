//! `event-loop`: a function's output flows back to its own trigger.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::{EdgeKind, Flow};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// See [`Rule::explain`].
#[derive(Debug)]
pub(crate) struct EventLoop;

impl Rule for EventLoop {
    fn name(&self) -> &'static str {
        "event-loop"
    }

    fn default_severity(&self) -> Severity {
        Severity::Error
    }

    fn summary(&self) -> &'static str {
        "a function's output can flow back to its own trigger (recursive invocation)"
    }

    fn explain(&self) -> &'static str {
        "Following the events through the graph, a function's output comes back to the resource that \
triggers it: a function consumes from a queue and publishes to a topic the same queue subscribes to, \
writes back into the table whose stream triggers it, or puts events on a bus whose rule invokes it.

Why it matters: one event becomes an endless chain of invocations — a runaway bill and throttling \
of everything else. AWS stops some of these loops after about 16 rounds (and only for some \
services), but not before the damage is done.

How to fix: break the cycle — publish to a different resource, filter the function's own output out \
of its trigger (a filter policy on `event_type` or a rule pattern that does not match it), or use \
event source mapping filter criteria.

Example:

    # The worker's own events must not come back to it:
    WorkerSubscription:
      Properties:
        FilterPolicy:
          event_type: [{anything-but: [OrderProcessed]}]"
    }

    fn check(&self, flow: &Flow, _settings: &RuleSettings) -> Vec<Finding> {
        // The flow as a plain graph of the edges that carry events, node ids sorted for a stable
        // traversal.
        let mut graph: DiGraph<String, ()> = DiGraph::new();
        let mut indices: BTreeMap<&str, NodeIndex> = BTreeMap::new();
        for node in flow.nodes() {
            indices.insert(&node.id, graph.add_node(node.id.clone()));
        }
        for (from, to, edge) in flow.edges() {
            if !edge.events.is_empty() {
                graph.add_edge(indices[from.id.as_str()], indices[to.id.as_str()], ());
            }
        }
        let mut findings = Vec::new();
        for component in tarjan_scc(&graph) {
            let members: BTreeSet<NodeIndex> = component.iter().copied().collect();
            let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
            if component.len() < 2 && !self_loop {
                continue;
            }
            let mut functions: Vec<&String> = component
                .iter()
                .map(|index| &graph[*index])
                .filter(|id| flow.node(id).is_some_and(|n| n.kind.is_function()))
                .collect();
            functions.sort();
            let Some(start) = functions.first() else { continue };
            let cycle = shortest_cycle(&graph, indices[start.as_str()], &members);
            let path: Vec<&str> = cycle.iter().map(|index| graph[*index].as_str()).collect();
            let events: BTreeSet<&String> = cycle
                .windows(2)
                .filter_map(|pair| {
                    flow.outgoing(&graph[pair[0]])
                        .into_iter()
                        .find(|(node, edge)| node.id == graph[pair[1]] && !edge.events.is_empty())
                })
                .flat_map(|(_, edge)| &edge.events)
                .collect();
            // The publish that closes the loop is where the code can break it.
            let location = cycle
                .windows(2)
                .find_map(|pair| {
                    flow.outgoing(&graph[pair[0]])
                        .into_iter()
                        .find(|(node, edge)| node.id == graph[pair[1]] && edge.kind == EdgeKind::Publish)
                        .map(|(_, edge)| edge.location.clone())
                })
                .or_else(|| flow.node(start).and_then(|node| node.location.clone()));
            let mut ids: Vec<&str> = component.iter().map(|index| graph[*index].as_str()).collect();
            ids.sort_unstable();
            findings.push(finding(
                self,
                ids.join("/"),
                format!(
                    "events loop back to `{start}`: {} (carrying {})",
                    path.join(" → "),
                    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ")
                ),
                location,
            ));
        }
        findings
    }
}

/// The shortest cycle from `start` back to itself inside `members`, as a path that begins and
/// ends with `start`.
fn shortest_cycle(
    graph: &DiGraph<String, ()>,
    start: NodeIndex,
    members: &BTreeSet<NodeIndex>,
) -> Vec<NodeIndex> {
    let mut previous: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::new();
    while let Some(node) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph.neighbors(node).collect();
        next.sort_by(|a, b| graph[*a].cmp(&graph[*b]));
        for target in next {
            if !members.contains(&target) {
                continue;
            }
            if target == start {
                let mut path = vec![start];
                let mut at = node;
                while at != start {
                    path.push(at);
                    at = previous[&at];
                }
                path.push(start);
                path.reverse();
                return path;
            }
            if seen.insert(target) {
                previous.insert(target, node);
                queue.push_back(target);
            }
        }
    }
    vec![start, start]
}
