package dev.semaim.data;

import java.util.List;

/** Random-access labelled image collection (torch {@code Dataset} with {@code __len__}/{@code __getitem__}). */
public interface Dataset {
    int size();

    /** The sample at {@code index} in [0, size()); safe to call from several threads at once. */
    Sample get(int index);

    default int numClasses() {
        return classNames().size();
    }

    /** Class names in class-index order. */
    List<String> classNames();
}
