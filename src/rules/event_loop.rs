//! `event-loop`: a function's output flows back to its own trigger.

use super::{Finding, Rule, RuleSettings, Severity, finding};
use crate::model::{EdgeKind, Flow, Node};
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
        let (graph, indices) = event_states(flow);
        let mut findings = Vec::new();
        for component in tarjan_scc(&graph) {
            let members: BTreeSet<NodeIndex> = component.iter().copied().collect();
            let self_loop = component.len() == 1 && graph.contains_edge(component[0], component[0]);
            if component.len() < 2 && !self_loop {
                continue;
            }
            let mut functions: Vec<&str> = component
                .iter()
                .filter(|index| graph[**index].1.is_none())
                .map(|index| graph[*index].0.as_str())
                .collect();
            functions.sort_unstable();
            let Some((start, &start_index)) =
                functions.first().and_then(|start| Some((*start, indices.get(&(*start, None))?)))
            else {
                continue;
            };
            let cycle = shortest_cycle(&graph, start_index, &members);
            let path: Vec<&str> = cycle.iter().map(|index| graph[*index].0.as_str()).collect();
            // The events that go round: those the resources of the loop hold, or, where the
            // loop runs from a function straight back to one (it invokes itself), those its
            // edges carry.
            let mut events: BTreeSet<String> =
                component.iter().filter_map(|index| graph[*index].1.clone()).collect();
            if events.is_empty() {
                for pair in path.windows(2) {
                    for (node, edge) in flow.outgoing(pair[0]) {
                        if node.id == pair[1] {
                            events.extend(edge.events.iter().cloned());
                        }
                    }
                }
            }
            let carrying = if events.is_empty() {
                String::new()
            } else {
                format!(" (carrying {})", events.into_iter().collect::<Vec<_>>().join(", "))
            };
            // The publish that closes the loop is where the code can break it.
            let location = path
                .windows(2)
                .find_map(|pair| {
                    flow.outgoing(pair[0])
                        .into_iter()
                        .find(|(node, edge)| node.id == pair[1] && edge.kind == EdgeKind::Publish)
                        .map(|(_, edge)| edge.location.clone())
                })
                .or_else(|| flow.node(start).and_then(|node| node.location.clone()));
            let ids: BTreeSet<&str> = component.iter().map(|index| graph[*index].0.as_str()).collect();
            findings.push(finding(
                self,
                ids.into_iter().collect::<Vec<_>>().join("/"),
                format!("events loop back to `{start}`: {}{carrying}", path.join(" → ")),
                location,
            ));
        }
        findings
    }
}

/// A state of the event flow: a function (which may turn any event it receives into any it
/// produces), or a resource holding one event.
type State = (String, Option<String>);

/// The graph of states.
type StateGraph = DiGraph<State, ()>;

/// Each state's index, by node id and event (none for a function).
type StateIndices<'f> = BTreeMap<(&'f str, Option<&'f str>), NodeIndex>;

/// The flow as a graph of states: an edge carrying `E` leads from a function or from the
/// resource holding `E` to a function or to the next resource holding `E`. A cycle among
/// resources that carry different events is then no cycle: what a function publishes must
/// itself come back to it. States are added in the order of the sorted edges and events, for
/// a stable traversal.
fn event_states(flow: &Flow) -> (StateGraph, StateIndices<'_>) {
    let mut graph = StateGraph::new();
    let mut indices = StateIndices::new();
    for (from, to, edge) in flow.edges() {
        for event in &edge.events {
            let from = state(&mut graph, &mut indices, from, event);
            let to = state(&mut graph, &mut indices, to, event);
            graph.update_edge(from, to, ());
        }
    }
    (graph, indices)
}

/// The state of `node` holding `event` (any event, for a function), added when first seen.
fn state<'f>(
    graph: &mut StateGraph,
    indices: &mut StateIndices<'f>,
    node: &'f Node,
    event: &'f str,
) -> NodeIndex {
    let event = (!node.kind.is_function()).then_some(event);
    *indices
        .entry((node.id.as_str(), event))
        .or_insert_with(|| graph.add_node((node.id.clone(), event.map(str::to_owned))))
}

/// The shortest cycle from `start` back to itself inside `members`, as a path that begins and
/// ends with `start`.
fn shortest_cycle(graph: &StateGraph, start: NodeIndex, members: &BTreeSet<NodeIndex>) -> Vec<NodeIndex> {
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
