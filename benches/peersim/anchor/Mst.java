package anchor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import peersim.config.Configuration;
import peersim.core.Control;
import peersim.core.Linkable;
import peersim.core.Network;
import peersim.core.Node;

/** Builds the minimum spanning tree of the graph (weights: the link delays of {@link Flood},
 * ties by the ends' indices) by Kruskal with a union-find, for {@link Tree}. */
public class Mst implements Control {
    private final int linkPid;
    static Node[][] tree;

    public Mst(String prefix) {
        linkPid = Configuration.getPid(prefix + ".linkable");
    }

    private static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    public boolean execute() {
        int n = Network.size();
        long[] keys = new long[16];
        int m = 0;
        for (int u = 0; u < n; u++) {
            Node a = Network.get(u);
            Linkable l = (Linkable) a.getProtocol(linkPid);
            for (int i = 0; i < l.degree(); i++) {
                Node b = l.getNeighbor(i);
                int v = b.getIndex();
                if (u < v) {
                    if (m == keys.length) keys = Arrays.copyOf(keys, 2 * m);
                    // delay (7 bits) | u (20 bits) | v (20 bits)
                    keys[m++] = Flood.delay(a.getID(), b.getID()) << 40 | (long) u << 20 | v;
                }
            }
        }
        Arrays.sort(keys, 0, m);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        List<List<Node>> adj = new ArrayList<>(n);
        for (int i = 0; i < n; i++) adj.add(new ArrayList<>());
        for (int i = 0; i < m; i++) {
            int u = (int) (keys[i] >>> 20 & 0xFFFFF), v = (int) (keys[i] & 0xFFFFF);
            int ru = find(p, u), rv = find(p, v);
            if (ru == rv) continue;
            p[ru] = rv;
            adj.get(u).add(Network.get(v));
            adj.get(v).add(Network.get(u));
        }
        tree = new Node[n][];
        for (int i = 0; i < n; i++) tree[i] = adj.get(i).toArray(new Node[0]);
        return false;
    }
}
