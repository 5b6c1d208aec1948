package dev.prefer.ratings;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Connectivity of comparison graphs. */
final class Graphs {
    private Graphs() {}

    /**
     * Connected components of the undirected comparison graph (an edge per pair with any data), numbered by their
     * smallest item index; items without data form singleton components.
     */
    static int[] components(PairTable p) {
        int n = p.n;
        int[] parent = new int[n];
        for (int k = 0; k < n; k++) parent[k] = k;
        for (int q = 0; q < p.size(); q++) {
            int x = find(parent, p.i[q]), y = find(parent, p.j[q]);
            if (x != y) parent[Math.max(x, y)] = Math.min(x, y);
        }
        int[] comp = new int[n];
        int[] label = new int[n];
        Arrays.fill(label, -1);
        int c = 0;
        for (int k = 0; k < n; k++) {
            int r = find(parent, k);
            if (label[r] < 0) label[r] = c++;
            comp[k] = label[r];
        }
        return comp;
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    /**
     * Items of a strongly connected "beats" digraph's source component when the graph is not strongly connected:
     * a set of items that never lost (nor tied, when ties count both ways) against any item outside it, so the
     * maximum-likelihood strengths run off to infinity (Zermelo 1929; Hunter 2004, Assumption 1). Returns an empty
     * list when the digraph is strongly connected. Edge i→j when i has positive "beat" weight over j.
     */
    static List<Integer> neverLosingSet(PairTable p, boolean tiesCountBothWays) {
        int n = p.n;
        if (n <= 1) return List.of();
        List<List<Integer>> out = new ArrayList<>(), in = new ArrayList<>();
        for (int k = 0; k < n; k++) { out.add(new ArrayList<>()); in.add(new ArrayList<>()); }
        for (int q = 0; q < p.size(); q++) {
            int i = p.i[q], j = p.j[q];
            boolean tie = tiesCountBothWays && p.t[q] > 0;
            if (p.wi[q] > 0 || tie) { out.get(i).add(j); in.get(j).add(i); }
            if (p.wj[q] > 0 || tie) { out.get(j).add(i); in.get(i).add(j); }
        }
        // Kosaraju: order by finish time on the graph, then sweep the reverse graph.
        boolean[] seen = new boolean[n];
        int[] order = new int[n];
        int top = 0;
        for (int s = 0; s < n; s++) {
            if (seen[s]) continue;
            ArrayDeque<int[]> stack = new ArrayDeque<>();
            stack.push(new int[] {s, 0});
            seen[s] = true;
            while (!stack.isEmpty()) {
                int[] f = stack.peek();
                List<Integer> adj = out.get(f[0]);
                if (f[1] < adj.size()) {
                    int nx = adj.get(f[1]++);
                    if (!seen[nx]) { seen[nx] = true; stack.push(new int[] {nx, 0}); }
                } else {
                    order[top++] = f[0];
                    stack.pop();
                }
            }
        }
        int[] scc = new int[n];
        Arrays.fill(scc, -1);
        int count = 0;
        for (int k = n - 1; k >= 0; k--) {
            int s = order[k];
            if (scc[s] >= 0) continue;
            ArrayDeque<Integer> st = new ArrayDeque<>();
            st.push(s);
            scc[s] = count;
            while (!st.isEmpty()) {
                int x = st.pop();
                for (int y : in.get(x)) if (scc[y] < 0) { scc[y] = count; st.push(y); }
            }
            count++;
        }
        if (count == 1) return List.of();
        // A component with no incoming edge from another component never loses to the rest.
        boolean[] hasIn = new boolean[count];
        for (int x = 0; x < n; x++) for (int y : out.get(x)) if (scc[x] != scc[y]) hasIn[scc[y]] = true;
        // The first SCC found by the sweep is a source in Kosaraju's order.
        int src = -1;
        for (int c = 0; c < count; c++) if (!hasIn[c]) { src = c; break; }
        List<Integer> members = new ArrayList<>();
        for (int x = 0; x < n; x++) if (scc[x] == src) members.add(x);
        return members;
    }
}
