package dev.semaim.nn.layers;

import dev.semaim.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/** An indexed list of sub-modules registered as "0", "1", ... (keys {@code blocks.3.attn...}), as torch ModuleList. */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public M add(M module) {
        items.add(child(Integer.toString(items.size()), module));
        return module;
    }

    public M get(int i) { return items.get(i); }

    public int size() { return items.size(); }

    public List<M> asList() { return Collections.unmodifiableList(items); }

    @Override
    public Iterator<M> iterator() { return asList().iterator(); }
}
