/**
 * Strips, again and again, the nodes with no successor left. Returns each
 * node's remaining out-degree: above 0 exactly for the nodes that lie on a
 * cycle or lead into one. Nodes are 0 … n−1; edge e goes from src[e] to dst[e].
 */
export function survivors(n: number, m: number, src: Int32Array, dst: Int32Array): Int32Array {
  const outdeg = new Int32Array(n);
  const predStart = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    outdeg[src[e]!]!++;
    predStart[dst[e]! + 1]!++;
  }
  for (let v = 0; v < n; v++) predStart[v + 1]! += predStart[v]!;
  const preds = new Int32Array(m);
  const fill = predStart.slice(0, n);
  for (let e = 0; e < m; e++) preds[fill[dst[e]!]!++] = src[e]!;
  const stack: number[] = [];
  for (let v = 0; v < n; v++) if (outdeg[v] === 0) stack.push(v);
  while (stack.length) {
    const v = stack.pop()!;
    for (let k = predStart[v]!; k < predStart[v + 1]!; k++) {
      const u = preds[k]!;
      if (--outdeg[u]! === 0) stack.push(u);
    }
  }
  return outdeg;
}
