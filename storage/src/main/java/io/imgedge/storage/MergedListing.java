package io.imgedge.storage;

import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Sorted key listings of several backends merged into one, lazily: memory stays flat however large the store. */
final class MergedListing {
    private MergedListing() {
    }

    /** A key and which of the merged listings hold it. */
    record Key(String key, boolean[] in) {
    }

    /**
     * Merges sorted key streams into one sorted stream of distinct keys, each with the listings
     * that hold it. Closing the result closes them all.
     */
    static Stream<Key> merge(List<Stream<String>> listings) {
        List<Iterator<String>> iterators = listings.stream().map(Stream::iterator).toList();
        record Head(String key, int source) {
        }
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing(Head::key).thenComparingInt(Head::source));
        for (int i = 0; i < iterators.size(); i++) {
            if (iterators.get(i).hasNext()) {
                heads.add(new Head(iterators.get(i).next(), i));
            }
        }
        Iterator<Key> merged = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public Key next() {
                String key = heads.peek().key();
                boolean[] in = new boolean[iterators.size()];
                while (!heads.isEmpty() && heads.peek().key().equals(key)) {
                    int source = heads.poll().source();
                    in[source] = true;
                    if (iterators.get(source).hasNext()) {
                        heads.add(new Head(iterators.get(source).next(), source));
                    }
                }
                return new Key(key, in);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(merged, Spliterator.ORDERED), false)
                .onClose(() -> listings.forEach(Stream::close));
    }
}
