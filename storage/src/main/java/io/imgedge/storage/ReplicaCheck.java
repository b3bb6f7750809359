package io.imgedge.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Compares the backends of a {@link ReplicatedStore} object by object and, when asked, repairs
 * them. Listings are merged in key order, so memory stays flat however large the store. Every
 * copy is read and hashed: a content address must hash to its own name; any other key must
 * match the first backend's copy. A repair copies a good copy over each missing or mismatched
 * one. All bytes read and written pass through the {@link Pacer}, so a check cannot starve
 * serving. Blocking; run one at a time.
 */
public final class ReplicaCheck {
    /** What is wrong with one key on one backend. */
    public enum Kind {
        MISSING, MISMATCHED
    }

    /**
     * @param repaired whether a good copy replaced it (only when repairing)
     */
    public record Problem(String key, String backend, Kind kind, boolean repaired) {
    }

    /**
     * @param objects per backend, in backend order: objects found
     * @param lost    keys with no good copy anywhere (nothing to repair from)
     */
    public record Summary(List<String> backends, long[] objects, long keys, long missing, long mismatched,
                          long repaired, long lost) {
    }

    private final ReplicatedStore store;
    private final long maxObjectBytes;
    private final Pacer pacer;

    public ReplicaCheck(ReplicatedStore store, long maxObjectBytes, Pacer pacer) {
        this.store = store;
        this.maxObjectBytes = maxObjectBytes;
        this.pacer = pacer;
    }

    /**
     * Checks every key of every backend, reporting each problem as it is found.
     *
     * @param repair whether to copy good copies over missing and mismatched ones
     * @throws StoreException when a backend cannot be listed (a check needs all of them)
     */
    public Summary run(boolean repair, Consumer<Problem> problems) {
        List<BlobStore> backends = store.backends();
        List<Stream<String>> listings = new ArrayList<>();
        backends.forEach(b -> listings.add(b.list("")));
        long[] objects = new long[backends.size()];
        long keys = 0;
        long missing = 0;
        long mismatched = 0;
        long repaired = 0;
        long lost = 0;
        try (Stream<MergedListing.Key> merged = MergedListing.merge(listings)) {
            for (MergedListing.Key entry : (Iterable<MergedListing.Key>) merged::iterator) {
                keys++;
                String key = entry.key();
                byte[][] copies = new byte[backends.size()][];
                for (int i = 0; i < backends.size(); i++) {
                    if (entry.in()[i]) {
                        objects[i]++;
                        copies[i] = read(backends.get(i), key);
                    }
                }
                byte[] good = goodCopy(key, copies);
                for (int i = 0; i < backends.size(); i++) {
                    Kind kind = copies[i] == null ? Kind.MISSING : good == null || !Arrays.equals(copies[i], good)
                            ? Kind.MISMATCHED : null;
                    if (kind == null) {
                        continue;
                    }
                    if (kind == Kind.MISSING) {
                        missing++;
                    } else {
                        mismatched++;
                    }
                    boolean fixed = false;
                    if (repair && good != null) {
                        pacer.account(good.length);
                        backends.get(i).put(key, good, ContentKey.mediaType(key));
                        fixed = true;
                        repaired++;
                    }
                    problems.accept(new Problem(key, backends.get(i).name(), kind, fixed));
                }
                if (good == null) {
                    lost++;
                }
            }
        }
        return new Summary(backends.stream().map(BlobStore::name).toList(), objects, keys, missing, mismatched,
                repaired, lost);
    }

    /** The object's bytes on one backend, or null when it is gone by now. */
    private byte[] read(BlobStore backend, String key) {
        Optional<Blob> blob = backend.get(key, maxObjectBytes);
        blob.ifPresent(b -> pacer.account(b.bytes().length));
        return blob.map(Blob::bytes).orElse(null);
    }

    /** A copy that hashes to its content address, or for other keys the first copy; null if none. */
    private static byte[] goodCopy(String key, byte[][] copies) {
        Optional<String> expected = ContentKey.expectedSha256(key);
        for (byte[] copy : copies) {
            if (copy != null && (expected.isEmpty() || ContentKey.sha256(copy).equals(expected.get()))) {
                return copy;
            }
        }
        return null;
    }
}
