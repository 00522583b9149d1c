// The structure of an ONNX graph: every value defined exactly once (graph input, initializer or node
// output), every node input and graph output defined (here or, for a subgraph, in an enclosing
// graph), no cycles. Puts the nodes in an order where each runs after the nodes it reads from, and
// picks the nodes a set of outputs needs. A node with subgraphs (If) also reads the enclosing values
// its subgraphs name: those count as its inputs for ordering.

import { FormatError } from "../../errors.js";
import type { OnnxGraph, OnnxNode } from "./model.js";

const readsOf = new WeakMap<OnnxNode, readonly string[]>();

/** Every value a node reads: its inputs, then the enclosing-scope names its subgraphs read. */
export function nodeReads(node: OnnxNode): readonly string[] {
  let reads = readsOf.get(node);
  if (reads) return reads;
  const outer = new Set<string>();
  for (const a of node.attributes) for (const g of a.g ? [a.g, ...a.graphs] : a.graphs) for (const name of outerReads(g)) outer.add(name);
  reads = outer.size ? [...node.inputs, ...[...outer].filter((n) => !node.inputs.includes(n))] : node.inputs;
  readsOf.set(node, reads);
  return reads;
}

/** The names a graph reads that it does not define itself (values of enclosing graphs). */
export function outerReads(graph: OnnxGraph): string[] {
  const own = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.map((t) => t.name)]);
  for (const node of graph.nodes) for (const o of node.outputs) if (o) own.add(o);
  const outer = new Set<string>();
  for (const node of graph.nodes) for (const name of nodeReads(node)) if (name && !own.has(name)) outer.add(name);
  for (const o of graph.outputs) if (!own.has(o.name)) outer.add(o.name);
  return [...outer];
}

/** How a node is named in messages: `node "name" (LSTM)`, or by position when it has no name. */
export function describeNode(node: OnnxNode): string {
  return `node ${node.name ? JSON.stringify(node.name) : `#${node.index}`} (${node.opType || "no op_type"})`;
}

/**
 * Checks the graph and returns its nodes in dependency order (Kahn's algorithm; a graph whose nodes
 * are already sorted, as ONNX requires, keeps its order). `enclosing`: the names a subgraph may read
 * from the graphs around it.
 */
export function orderNodes(graph: OnnxGraph, enclosing: ReadonlySet<string> = new Set()): OnnxNode[] {
  const defined = new Map<string, string>();
  const define = (name: string, by: string) => {
    const before = defined.get(name);
    if (before !== undefined) throw new FormatError(`ONNX: value "${name}" is defined twice (by ${before} and by ${by})`);
    defined.set(name, by);
  };
  const initializers = new Set<string>();
  for (const t of graph.initializers) {
    if (initializers.has(t.name)) throw new FormatError(`ONNX: initializer "${t.name}" appears twice`);
    initializers.add(t.name);
    define(t.name, "an initializer");
  }
  for (const input of graph.inputs) {
    // An input with an initializer of the same name is that initializer's overridable default.
    if (!initializers.has(input.name)) define(input.name, "a graph input");
  }
  const producer = new Map<string, OnnxNode>();
  for (const node of graph.nodes) {
    for (const output of node.outputs) {
      if (output === "") continue;
      define(output, describeNode(node));
      producer.set(output, node);
    }
  }
  const visible = (name: string) => defined.has(name) || enclosing.has(name);
  for (const node of graph.nodes) {
    for (const input of nodeReads(node)) {
      if (input !== "" && !visible(input)) throw new FormatError(`ONNX: ${describeNode(node)} reads "${input}", which no graph input, initializer or node defines`);
    }
  }
  for (const output of graph.outputs) {
    if (!visible(output.name)) throw new FormatError(`ONNX: graph output "${output.name}" is not defined by any graph input, initializer or node`);
  }

  // Kahn: a node is ready once every node it reads from has run.
  const waiting = new Map<OnnxNode, number>();
  const readers = new Map<OnnxNode, OnnxNode[]>();
  for (const node of graph.nodes) {
    const from = new Set(nodeReads(node).map((i) => producer.get(i)).filter((p): p is OnnxNode => p !== undefined));
    waiting.set(node, from.size);
    for (const p of from) {
      const list = readers.get(p);
      if (list) list.push(node);
      else readers.set(p, [node]);
    }
  }
  const ready = graph.nodes.filter((n) => waiting.get(n) === 0).reverse();
  const order: OnnxNode[] = [];
  while (ready.length) {
    const node = ready.pop()!;
    order.push(node);
    const next: OnnxNode[] = [];
    for (const reader of readers.get(node) ?? []) {
      const left = waiting.get(reader)! - 1;
      waiting.set(reader, left);
      if (left === 0) next.push(reader);
    }
    ready.push(...next.sort((a, b) => b.index - a.index));
  }
  if (order.length < graph.nodes.length) {
    const stuck = graph.nodes.filter((n) => waiting.get(n)! > 0).slice(0, 5).map(describeNode);
    throw new FormatError(`ONNX: the graph has a cycle: ${stuck.join(", ")}${graph.nodes.length - order.length > 5 ? ", …" : ""} wait on each other`);
  }
  return order;
}

/** The nodes of `order` (same order) that computing `outputs` needs, given the values already `known`. */
export function nodesFor(order: readonly OnnxNode[], outputs: Iterable<string>, known: ReadonlySet<string>): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const node of order) for (const output of node.outputs) if (output) producer.set(output, node);
  const needed = new Set<OnnxNode>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    const node = producer.get(name);
    if (!node || known.has(name) || needed.has(node)) continue;
    needed.add(node);
    stack.push(...nodeReads(node).filter((i) => i !== ""));
  }
  return order.filter((n) => needed.has(n));
}
